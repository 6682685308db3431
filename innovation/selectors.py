"""Reads of the innovation fund shared by pages, API, exports and the grant rules."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from innovation.models import BilanActivite, EnveloppeInnovation, Theme
from pacte.appels.enums import Dispositif, NatureDecision, NatureVersement, StatutCandidature
from pacte.appels.selectors import avec_barres
from pacte.models_appels import Candidature, Decision, Versement

ZERO = Decimal("0.00")


def trente_six_mois_avant(le: date) -> date:
    """The same day three years earlier (28 February for a 29 February)."""
    return le.replace(year=le.year - 3, day=min(le.day, 28)) if (le.month, le.day) == (2, 29) else \
        le.replace(year=le.year - 3)


def candidatures_innovation():
    return Candidature.objects.filter(appel__dispositif=Dispositif.INNOVATION)


def accorde_annee(annee: int, *, sauf: int | None = None) -> Decimal:
    """Granted on the year's calls (still standing: a grant whose application was later closed keeps counting)."""
    qs = candidatures_innovation().filter(appel__annee=annee, statut__in=StatutCandidature.accordees())
    if sauf is not None:
        qs = qs.exclude(pk=sauf)
    return qs.aggregate(s=Sum("montant_accorde"))["s"] or ZERO


def accorde_organisme_36_mois(siren: str, le: date, *, sauf: int | None = None) -> Decimal:
    """Granted by the fund to one organism by decisions of the 36 months before ``le``."""
    qs = Decision.objects.filter(
        nature=NatureDecision.RETENUE, candidature__organisme_id=siren,
        candidature__appel__dispositif=Dispositif.INNOVATION,
        candidature__statut__in=StatutCandidature.accordees(),
        horodatage__date__gt=trente_six_mois_avant(le),
    )
    if sauf is not None:
        qs = qs.exclude(candidature_id=sauf)
    return qs.aggregate(s=Sum("montant"))["s"] or ZERO


def consommation(annee: int) -> dict:
    """Envelope, granted (committed by decision), engaged, paid and still available for one year."""
    return consommations([annee])[0]


def consommations(annees) -> list[dict]:
    """``consommation`` of several years in a fixed number of queries (grouped by year), in the years' order."""
    annees = sorted(set(annees))
    enveloppes_ = dict(EnveloppeInnovation.objects.filter(annee__in=annees).values_list("annee", "montant"))
    versements = {
        ligne["annee"]: ligne for ligne in Versement.objects.filter(
            candidature__appel__dispositif=Dispositif.INNOVATION, candidature__appel__annee__in=annees)
        .values(annee=F("candidature__appel__annee")).order_by()
        .annotate(engage=Sum("montant", filter=Q(nature=NatureVersement.ENGAGEMENT)),
                  verse=Sum("montant", filter=~Q(nature=NatureVersement.ENGAGEMENT)))}
    accordes = dict(candidatures_innovation().filter(appel__annee__in=annees, statut__in=StatutCandidature.accordees())
                    .values(annee=F("appel__annee")).order_by().annotate(s=Sum("montant_accorde"))
                    .values_list("annee", "s"))
    resultat = []
    for annee in annees:
        montant, accorde = enveloppes_.get(annee), accordes.get(annee) or ZERO
        resultat.append(avec_barres({
            "annee": annee, "enveloppe": montant, "accorde": accorde,
            "engage": versements.get(annee, {}).get("engage") or ZERO,
            "verse": versements.get(annee, {}).get("verse") or ZERO,
            "disponible": (montant - accorde) if montant is not None else None}))
    return resultat


def enveloppes():
    return EnveloppeInnovation.objects.order_by("annee")


def bilans():
    return BilanActivite.objects.order_by("annee")


def themes_actifs():
    return Theme.objects.filter(actif=True)


def activite_annee(annee: int) -> dict:
    candidatures = candidatures_innovation().filter(appel__annee=annee)
    comptes = candidatures.aggregate(
        nb=Count("id"), retenues=Count("id", filter=Q(statut__in=StatutCandidature.accordees())),
        en_attente=Sum("montant_demande", filter=Q(statut__in=[StatutCandidature.RECEVABLE,
                                                                StatutCandidature.INSTRUITE])),
    )
    conso = consommation(annee)
    return {"nb_candidatures": comptes["nb"], "nb_retenues": comptes["retenues"],
            "demande_en_attente": comptes["en_attente"] or ZERO, "montant_accorde": conso["accorde"],
            "montant_verse": conso["verse"], "enveloppe": conso["enveloppe"]}
