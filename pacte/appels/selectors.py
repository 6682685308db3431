"""Reads of the calls-for-projects engine; the permission scope of applications is applied here only."""

from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum

from pacte.appels import workflow
from pacte.appels.enums import NatureVersement, StatutCandidature
from pacte.enums import Role
from pacte.models_appels import AppelAProjets, Candidature, Note

ZERO = Decimal("0.00")


def appels_du_dispositif(dispositif: str) -> QuerySet[AppelAProjets]:
    return AppelAProjets.objects.filter(dispositif=dispositif).annotate(nb_candidatures=Count("candidatures"))


def candidatures_visibles(user) -> QuerySet[Candidature]:
    """Organism users see their own organism's files; readers of every file see them all; others see none."""
    candidatures = Candidature.objects.select_related("appel", "organisme", "organisme__region")
    if not user.is_authenticated:
        return candidatures.none()
    if user.role == Role.ORGANISME:
        return candidatures.filter(organisme_id=user.organisme_id)
    if user.has_perm("pacte.voir_candidatures"):
        return candidatures
    return candidatures.none()


def pipeline(appel: AppelAProjets, candidatures: QuerySet[Candidature]) -> list[dict]:
    """Every status in the workflow's order with its count and amounts (zero included)."""
    lignes = {ligne["statut"]: ligne for ligne in candidatures.filter(appel=appel).values("statut").annotate(
        nombre=Count("id"), demande=Sum("montant_demande"), accorde=Sum("montant_accorde"))}
    return [{"statut": s.value, "libelle": s.label, "nombre": lignes.get(s.value, {}).get("nombre", 0),
             "demande": lignes.get(s.value, {}).get("demande") or ZERO,
             "accorde": lignes.get(s.value, {}).get("accorde") or ZERO} for s in StatutCandidature]


def consommation_appel(appel: AppelAProjets) -> dict:
    """The call's envelope: granted (committed by decision), engaged, paid, available."""
    candidatures = appel.candidatures.all()
    accorde = (candidatures.filter(statut__in=StatutCandidature.accordees()).aggregate(s=Sum("montant_accorde"))["s"]
               or ZERO)
    montants = candidatures.aggregate(
        engage=Sum("versements__montant", filter=Q(versements__nature=NatureVersement.ENGAGEMENT)),
        verse=Sum("versements__montant", filter=~Q(versements__nature=NatureVersement.ENGAGEMENT)),
    )
    conso = {"enveloppe": appel.enveloppe, "accorde": accorde, "engage": montants["engage"] or ZERO,
             "verse": montants["verse"] or ZERO,
             "disponible": appel.enveloppe - accorde if appel.enveloppe is not None else None}
    return avec_barres(conso)


def avec_barres(conso: dict) -> dict:
    """The bars of the envelope chart, in the order of the money's life."""
    return {**conso, "barres": [("Accordé", conso["accorde"]), ("Engagé", conso["engage"]), ("Versé", conso["verse"])]}


def moyennes(candidature: Candidature) -> dict:
    """Average score per criterion and overall (out of 20), and how many members scored."""
    notes = Note.objects.filter(candidature=candidature)
    par_critere = {ligne["critere"]: ligne["moyenne"] for ligne in notes.values("critere").annotate(
        moyenne=Avg("valeur"))}
    criteres = [{"critere": c, "moyenne": par_critere.get(c.pk)} for c in candidature.appel.criteres.all()]
    return {"criteres": criteres, "generale": notes.aggregate(m=Avg("valeur"))["m"],
            "evaluateurs": notes.values("evaluateur").distinct().count()}


def actions_possibles(user, candidature: Candidature) -> list[workflow.Transition]:
    actions = [t for t in workflow.transitions_depuis(candidature.statut) if user.has_perm(t.permission)]
    if user.role == Role.ORGANISME and candidature.organisme_id != user.organisme_id:
        return []
    return actions


def candidature_detail(user, pk: int) -> Candidature:
    return (candidatures_visibles(user)
            .prefetch_related("historique__auteur", "pieces", "commentaires__auteur", "decisions", "versements")
            .get(pk=pk))
