"""Writes of the mutualisation's documents: the notices of a validated year, generated on the worker."""

from django.db import transaction

from mutualisation.documents.lots import NATURE
from mutualisation.documents.source import exiger_calcul_valide
from mutualisation.services.cycle import ActionRefusee
from pacte.models import Travail
from pacte.services import evenement_enregistrer, travail_creer


def avis_generer(*, acting_user, annee: int) -> Travail:
    """Enqueue the generation of every notice of the year's validated run, with the schedule and a ZIP.

    The job's row carries the progress (one step per notice). ``acting_user=None`` is the command line or the worker;
    a user needs the right to notify a campaign. Raises ErreurDocument when the year has no validated run."""
    if acting_user is not None and not acting_user.has_perm("mutualisation.notifier_campagne"):
        raise ActionRefusee("Vous n'avez pas le droit de générer les avis de mutualisation.")
    calcul = exiger_calcul_valide(annee)
    with transaction.atomic():
        travail = travail_creer(nature=NATURE, parametres={"annee": annee, "calcul": calcul.pk},
                                acting_user=acting_user)
        evenement_enregistrer(acting_user=acting_user, action="avis_generer", objet=str(annee),
                              details={"calcul": calcul.pk, "travail": travail.pk})
    return travail
