"""Reads of the committee's pages and of the annual report (meetings, blocking points, good practices, diagnostics,
commitments); the editing scope is applied here and only here."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from pacte.enums import Partie, StatutEngagement
from pacte.models import Engagement, Region
from pacte.selectors import regions_modifiables
from suivi import calculs
from suivi.enums import Niveau, StatutBlocage
from suivi.models import (
    BonnePratique,
    DiagnosticRegional,
    HistoriqueBlocage,
    MiseAJourEngagement,
    PointDeBlocage,
    RapportAnnuel,
    Reunion,
    TauxLivretA,
)

ANNEES_PACTE = (2013, 2014, 2015)
REUNIONS_NATIONALES_MINIMUM = 3  # §6 and Annexe 5: "se réunira au moins trois fois par an"
PERMISSION_COMITE = "suivi.gerer_comite"
PERMISSION_DIAGNOSTIC = "suivi.modifier_diagnostic"


# --- Scope -----------------------------------------------------------------------------------------------------------


def diagnostic_regions_modifiables(user) -> QuerySet[Region]:
    """Regions whose diagnostic the user may edit: its own region for a referent, all for the secretariat."""
    if not user.has_perm(PERMISSION_DIAGNOSTIC):
        return Region.objects.none()
    return regions_modifiables(user)


def peut_modifier_diagnostic(user, region: Region) -> bool:
    return diagnostic_regions_modifiables(user).filter(pk=region.pk).exists()


def blocage_regions_modifiables(user) -> QuerySet[Region]:
    """A referent raises and follows its own region's blocking points; the secretariat every one, national ones too."""
    if user.has_perm(PERMISSION_COMITE):
        return Region.objects.all()
    return diagnostic_regions_modifiables(user)


def peut_modifier_blocage(user, region: Region | None) -> bool:
    if region is None:
        return user.has_perm(PERMISSION_COMITE)
    return blocage_regions_modifiables(user).filter(pk=region.pk).exists()


# --- Meetings --------------------------------------------------------------------------------------------------------


def reunions_liste(*, annee: int | None = None) -> QuerySet[Reunion]:
    reunions = Reunion.objects.select_related("region")
    return reunions.filter(date__year=annee) if annee else reunions


def reunions_par_annee(annees=ANNEES_PACTE) -> list[dict]:
    """National and regional meetings held each year, with the warning when fewer than three national ones."""
    comptes = {
        ligne["date__year"]: ligne
        for ligne in Reunion.objects.filter(date__year__in=annees)
        .values("date__year")
        .annotate(nationales=Count("pk", filter=Q(niveau=Niveau.NATIONAL)),
                  regionales=Count("pk", filter=Q(niveau=Niveau.REGIONAL)))
    }
    lignes = []
    for annee in annees:
        ligne = comptes.get(annee, {})
        nationales, regionales = ligne.get("nationales", 0), ligne.get("regionales", 0)
        lignes.append({"annee": annee, "nationales": nationales, "regionales": regionales,
                       "total": nationales + regionales, "alerte": nationales < REUNIONS_NATIONALES_MINIMUM})
    return lignes


# --- Blocking points -------------------------------------------------------------------------------------------------


def blocages_filtrer(*, region: str = "", theme: str = "", statut: str = "") -> QuerySet[PointDeBlocage]:
    points = PointDeBlocage.objects.select_related("region", "reunion")
    if region == "national":
        points = points.filter(region__isnull=True)
    elif region:
        points = points.filter(region_id=region)
    if theme:
        points = points.filter(theme=theme)
    if statut:
        points = points.filter(statut=statut)
    return points


def blocage_detail(pk: int) -> PointDeBlocage:
    historique = HistoriqueBlocage.objects.select_related("auteur")
    return PointDeBlocage.objects.select_related("region", "reunion").prefetch_related(
        Prefetch("historique", queryset=historique)
    ).get(pk=pk)


def historique_du_blocage(point: PointDeBlocage) -> list[dict]:
    """The point's history, newest first, each change with the field's French label (from the prefetched rows)."""
    libelles = {champ.name: champ.verbose_name for champ in PointDeBlocage._meta.fields}
    return [
        {"horodatage": h.horodatage, "auteur": h.auteur, "statut": h.get_statut_display(),
         "commentaire": h.commentaire,
         "changements": [(libelles.get(nom, nom).capitalize(), avant, apres)
                         for nom, (avant, apres) in h.changements.items()]}
        for h in point.historique.all()
    ]


def blocages_par_statut() -> list[dict]:
    comptes = dict(PointDeBlocage.objects.values_list("statut").annotate(n=Count("pk")))
    return [{"statut": s.value, "libelle": s.label, "nombre": comptes.get(s.value, 0)} for s in StatutBlocage]


# --- Good practices --------------------------------------------------------------------------------------------------


def bonnes_pratiques_chercher(*, recherche: str = "", theme: str = "", region: str = "") -> QuerySet[BonnePratique]:
    pratiques = BonnePratique.objects.select_related("region", "organisme")
    if recherche:
        pratiques = pratiques.filter(Q(titre__icontains=recherche) | Q(description__icontains=recherche)
                                     | Q(organisme__raison_sociale__icontains=recherche))
    if theme:
        pratiques = pratiques.filter(theme=theme)
    if region == "national":
        pratiques = pratiques.filter(region__isnull=True)
    elif region:
        pratiques = pratiques.filter(region_id=region)
    return pratiques


# --- Regional diagnostics --------------------------------------------------------------------------------------------


def diagnostics_de_l_annee(annee: int) -> list[dict]:
    """Every region with its diagnostic of the year (or none); a priority region without one is flagged."""
    diagnostics = {d.region_id: d for d in DiagnosticRegional.objects.filter(annee=annee)}
    return [
        {"region": region, "diagnostic": diagnostics.get(region.pk),
         "manquant": region.prioritaire and region.pk not in diagnostics}
        for region in Region.objects.order_by("-prioritaire", "code")
        if region.prioritaire or region.pk in diagnostics
    ]


def diagnostic_trouver(*, region: Region, annee: int) -> DiagnosticRegional | None:
    return DiagnosticRegional.objects.select_related("region").filter(region=region, annee=annee).first()


# --- Commitments -----------------------------------------------------------------------------------------------------


def engagements_groupes() -> list[dict]:
    """Commitments by party then section, each with its dated updates (two queries in all)."""
    mises_a_jour = MiseAJourEngagement.objects.select_related("auteur")
    engagements = list(Engagement.objects.prefetch_related(Prefetch("mises_a_jour", queryset=mises_a_jour)))
    groupes = []
    for partie in Partie:
        de_la_partie = [e for e in engagements if e.partie == partie.value]
        sections = list(dict.fromkeys(e.section for e in de_la_partie))
        if de_la_partie:
            groupes.append({"partie": partie, "sections": [
                {"section": s, "engagements": [e for e in de_la_partie if e.section == s]} for s in sections
            ]})
    return groupes


def mises_a_jour_de_l_engagement(engagement: Engagement) -> QuerySet[MiseAJourEngagement]:
    return engagement.mises_a_jour.select_related("auteur")


def statut_a_la_date(mises_a_jour: list[MiseAJourEngagement], statut_actuel: str, jour: date) -> str:
    """A commitment's status on a day: its latest update dated on or before it; with no update ever, its current
    status; with updates only after that day, « à engager »."""
    anterieures = [m for m in mises_a_jour if m.date <= jour]
    if anterieures:
        return max(anterieures, key=lambda m: (m.date, m.pk)).statut
    return StatutEngagement.A_LANCER if mises_a_jour else statut_actuel


# --- The State's financial commitments (§1) -------------------------------------------------------------------------

TAUX_TVA_LOGEMENT_SOCIAL = Decimal("0.05")
DEBUT_TVA_REDUITE = date(2014, 1, 1)
ACTION_LOGEMENT_PAR_AN = Decimal("1500000000")  # 1,5 Md€ a year for three years
MILLIARD = 10**9


@dataclass(frozen=True)
class PeriodeEcoPret:
    """A period of the livret A table as people read it: first and last day (``au`` None while in force)."""

    debut: date
    au: date | None
    livret_a: Decimal
    eco_pret: Decimal
    plancher: bool


def periodes_eco_pret(*, jusqu_au: date | None = None) -> list[PeriodeEcoPret]:
    """The dated livret A table as periods, each with the Éco-prêt rate the pact's rule gives (suivi.calculs)."""
    taux = TauxLivretA.objects.order_by("date_effet")
    if jusqu_au is not None:
        taux = taux.filter(date_effet__lte=jusqu_au)
    table = list(taux.values_list("date_effet", "taux"))
    return [
        PeriodeEcoPret(p.debut, p.fin - timedelta(days=1) if p.fin else None, p.livret_a, p.eco_pret, p.plancher)
        for p in (calculs.periodes_eco_pret(table) if table else [])
    ]


def engagements_financiers_etat() -> dict:
    return {
        "tva": TAUX_TVA_LOGEMENT_SOCIAL,
        "tva_depuis": DEBUT_TVA_REDUITE,
        "eco_pret": periodes_eco_pret(),
        "abattement_points": calculs.ABATTEMENT_ECO_PRET * 100,
        "plancher_eco_pret": calculs.PLANCHER_ECO_PRET,
        "action_logement_md": ACTION_LOGEMENT_PAR_AN / MILLIARD,
        "action_logement_total_md": ACTION_LOGEMENT_PAR_AN * 3 / MILLIARD,
    }


# --- Annual reports --------------------------------------------------------------------------------------------------


def rapports_liste() -> QuerySet[RapportAnnuel]:
    return RapportAnnuel.objects.select_related("cree_par").defer("donnees")

