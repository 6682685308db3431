"""A campaign's timeline (who did what and when), its runs' approvals, validations and reopenings, and the year's
validated run."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet

from mutualisation.enums import StatutCalcul
from mutualisation.models import ApprobationCalcul, Calcul, ReouvertureCampagne, ValidationCalcul
from pacte.formats import format_euros
from pacte.models import Evenement

# --- The campaign's life and its audit trail (docs/cycle-campagne.md, docs/audit.md) --------------------------------

LIBELLES_CHRONOLOGIE = {
    "bareme_creer": "Barème créé",
    "bareme_modifier": "Barème modifié",
    "ajustement_enregistrer": "Ajustement enregistré",
    "calcul_lancer": "Calcul lancé",
    "calcul_approuver": "Calcul approuvé",
    "calcul_valider": "Calcul validé : l'année est figée",
    "campagne_notifier": "Campagne notifiée",
    "campagne_clore": "Campagne close",
    "campagne_reouvrir": "Année rouverte",
}


@dataclass(frozen=True)
class EtapeCampagne:
    """One step of a campaign's timeline: when, what, who (None: command line or worker), and its details."""

    horodatage: datetime
    action: str
    libelle: str
    auteur: object = None
    details: dict = field(default_factory=dict)

    @property
    def auteur_libelle(self) -> str:
        if self.auteur is None:
            return "ligne de commande ou worker"
        return self.auteur.get_full_name() or self.auteur.get_username()


def _montant_euros(montant) -> str:
    """An amount stored in an event's details (a string such as "1500.00") in French: « 1 500,00 € »."""
    try:
        return format_euros(montant)
    except (ArithmeticError, ValueError, TypeError):  # not a number: shown as stored
        return f"{montant} €"


def _libelle_etape(evenement: Evenement, simulations: set[int]) -> str:
    libelle = LIBELLES_CHRONOLOGIE[evenement.action]
    calcul = evenement.details.get("calcul")
    if evenement.action == "calcul_lancer" and calcul in simulations:
        return f"Simulation n° {calcul} lancée"
    if evenement.action == "calcul_approuver":
        return f"Calcul n° {calcul} approuvé ({evenement.details.get('approbations')}/2)"
    if evenement.action in ("calcul_lancer", "calcul_valider") and calcul:
        return libelle.replace("Calcul", f"Calcul n° {calcul}", 1)
    if evenement.action == "campagne_reouvrir":
        return f"{libelle} : {evenement.details.get('motif', '')}"
    if evenement.action == "ajustement_enregistrer":
        montant = _montant_euros(evenement.details.get("montant"))
        return f"{libelle} pour {evenement.objet.split(' ', 1)[-1]} : {montant}"
    return libelle


def campagne_chronologie(annee: int) -> list[EtapeCampagne]:
    """Who did what and when in a year's campaign, oldest first: barème, adjustments, runs (launched, finished),
    approvals, validation, notification, closing, reopenings. Two queries."""
    calculs = list(Calcul.objects.filter(campagne__annee=annee).order_by("pk"))
    simulations = {calcul.pk for calcul in calculs if calcul.simulation}
    evenements = (
        Evenement.objects.filter(action__in=LIBELLES_CHRONOLOGIE)
        .filter(Q(objet=str(annee)) | Q(objet__startswith=f"{annee} "))
        .select_related("auteur")
    )
    etapes = [EtapeCampagne(e.horodatage, e.action, _libelle_etape(e, simulations), e.auteur, e.details)
              for e in evenements]
    for calcul in calculs:
        if calcul.fin is not None and calcul.statut in (StatutCalcul.TERMINE, StatutCalcul.ECHEC):
            nature = "Simulation" if calcul.simulation else "Calcul"
            issue = "terminé" if calcul.statut == StatutCalcul.TERMINE else f"en échec : {calcul.message}"
            etapes.append(EtapeCampagne(calcul.fin, f"calcul_{calcul.statut}", f"{nature} n° {calcul.pk} {issue}",
                                        None, {"calcul": calcul.pk, "empreinte": calcul.empreinte_entrees}))
    return sorted(etapes, key=lambda etape: etape.horodatage)


def approbations_du_calcul(calcul: Calcul) -> QuerySet[ApprobationCalcul]:
    """A run's approvals, superseded ones included (``annulee_par_reouverture``)."""
    return calcul.approbations.select_related("membre", "annulee_par_reouverture").order_by("created_at", "pk")


def validations_de_l_annee(annee: int) -> QuerySet[ValidationCalcul]:
    return ValidationCalcul.objects.filter(campagne__annee=annee).select_related("calcul", "reouverture",
                                                                                  "reouverture__auteur")


def reouvertures_de_l_annee(annee: int) -> QuerySet[ReouvertureCampagne]:
    return ReouvertureCampagne.objects.filter(campagne__annee=annee).select_related("auteur", "calcul")


def calcul_valide(annee: int) -> Calcul | None:
    """The year's validated run, if the year is validated (the run the notices and the bilan are built from)."""
    return Calcul.objects.filter(campagne__annee=annee, valide=True).select_related("campagne").first()
