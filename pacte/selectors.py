"""Every read shared by pages, API and reports; the permission scope is applied here and only here."""

from django.db.models import Count, Q, QuerySet

from pacte.enums import Role, StatutEngagement
from pacte.models import Engagement, Evenement, Organisme, Region, Utilisateur


def organismes_visibles(user) -> QuerySet[Organisme]:
    """Organism users see their own organism; every other role reads the national list."""
    organismes = Organisme.objects.select_related("region")
    if not user.is_authenticated:
        return organismes.none()
    if user.role == Role.ORGANISME:
        return organismes.filter(siren=user.organisme_id)
    return organismes


def regions_modifiables(user) -> QuerySet[Region]:
    """Regional users edit their own region only; the committee's secretariat and admins edit every region."""
    if not user.is_authenticated:
        return Region.objects.none()
    if user.role == Role.REFERENT_REGIONAL:
        return Region.objects.filter(code=user.region_id)
    if user.role in (Role.SECRETARIAT, Role.ADMINISTRATEUR):
        return Region.objects.all()
    return Region.objects.none()


def organismes_rechercher(user, *, recherche: str = "", famille: str = "", region: str = "") -> QuerySet[Organisme]:
    organismes = organismes_visibles(user)
    if recherche:
        organismes = organismes.filter(Q(siren__startswith=recherche) | Q(raison_sociale__icontains=recherche))
    if famille:
        organismes = organismes.filter(famille=famille)
    if region:
        organismes = organismes.filter(region_id=region)
    return organismes


def regions_avec_departements() -> QuerySet[Region]:
    return Region.objects.prefetch_related("departements").annotate(nb_organismes=Count("organismes")).order_by("code")


def engagements_liste(*, sections: tuple[str, ...] = ()) -> QuerySet[Engagement]:
    engagements = Engagement.objects.all()
    return engagements.filter(section__in=sections) if sections else engagements


def engagements_par_statut() -> list[dict]:
    """Count of commitments per status, every status listed (zero included), in the enum's order."""
    comptes = dict(Engagement.objects.values_list("statut").annotate(n=Count("id")))
    return [{"statut": s.value, "libelle": s.label, "nombre": comptes.get(s.value, 0)} for s in StatutEngagement]


def utilisateurs_liste() -> QuerySet[Utilisateur]:
    return Utilisateur.objects.select_related("region", "organisme").order_by("role", "username")


def evenements_recents(limite: int = 50) -> QuerySet[Evenement]:
    return Evenement.objects.select_related("auteur")[:limite]
