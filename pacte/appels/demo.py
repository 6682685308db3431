"""Helpers of the demo data of both calls: rows written straight (the real services are for real users), each file
with a plausible history. Demo only: never imported by the application's code paths."""

import datetime
from decimal import Decimal

from pacte.appels.enums import NatureDecision, NatureVersement, StatutCandidature
from pacte.enums import Role
from pacte.models import Organisme, Utilisateur
from pacte.models_appels import Candidature, Decision, HistoriqueStatut, Versement


def organismes(familles) -> list[Organisme]:
    return list(Organisme.objects.filter(famille__in=familles).order_by("siren"))


def utilisateur_demo() -> Utilisateur:
    utilisateur, cree = Utilisateur.objects.get_or_create(
        username="demo-appels", defaults={"role": Role.EQUIPE_USH, "first_name": "Gestion", "last_name": "des appels"})
    if cree:
        utilisateur.set_unusable_password()
        utilisateur.save(update_fields=["password"])
    return utilisateur


def deposer_brut(appel, organisme, auteur, intitule: str, demande: Decimal, depot: datetime.date) -> Candidature:
    candidature = Candidature.objects.create(
        appel=appel, organisme=organisme, intitule=intitule, montant_demande=demande, date_depot=depot,
        deposee_par=auteur, resume=f"{intitule} porté par {organisme.raison_sociale}.")
    HistoriqueStatut.objects.create(candidature=candidature, vers=StatutCandidature.DEPOSEE, auteur=auteur)
    return candidature


def _passer(candidature, auteur, vers, motif=""):
    HistoriqueStatut.objects.create(candidature=candidature, de=candidature.statut, vers=vers, auteur=auteur,
                                    motif=motif)
    candidature.statut = vers


def decider(candidature, auteur, montant: Decimal | None) -> None:
    """Examined, then retained with ``montant`` or not retained (None)."""
    _passer(candidature, auteur, StatutCandidature.RECEVABLE)
    _passer(candidature, auteur, StatutCandidature.INSTRUITE)
    if montant is None:
        motif = "Projet moins avancé que les projets retenus ; à représenter."
        _passer(candidature, auteur, StatutCandidature.NON_RETENUE, motif)
        Decision.objects.create(candidature=candidature, nature=NatureDecision.NON_RETENUE, motif=motif,
                                auteur=auteur)
    else:
        motif = "Projet partenarial reproductible, montage solide."
        _passer(candidature, auteur, StatutCandidature.RETENUE, motif)
        candidature.montant_accorde = montant
        Decision.objects.create(candidature=candidature, nature=NatureDecision.RETENUE, motif=motif,
                                montant=montant, auteur=auteur)
    candidature.save(update_fields=["statut", "montant_accorde"])


def verser(candidature, auteur, *, convention: bool, solde: bool) -> None:
    """Commitment, a first instalment of 40 %, and the balance when ``solde``."""
    annee = candidature.appel.annee
    if convention:
        _passer(candidature, auteur, StatutCandidature.CONVENTIONNEE, "Convention signée.")
    _passer(candidature, auteur, StatutCandidature.EN_COURS)
    montant = candidature.montant_accorde
    acompte = (montant * Decimal("0.4")).quantize(Decimal("0.01"))
    lignes = [(NatureVersement.ENGAGEMENT, montant, datetime.date(annee, 7, 1)),
              (NatureVersement.ACOMPTE, acompte, datetime.date(annee, 9, 1))]
    if solde:
        lignes.append((NatureVersement.SOLDE, montant - acompte, datetime.date(annee + 1, 6, 30)))
        _passer(candidature, auteur, StatutCandidature.SOLDEE, "Solde versé.")
    Versement.objects.bulk_create([Versement(candidature=candidature, nature=n, montant=m, date_versement=d,
                                             auteur=auteur) for n, m, d in lignes])
    candidature.save(update_fields=["statut"])
