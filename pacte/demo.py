"""Demo accounts, one per role of domain.md §1 (development only)."""

from django.conf import settings
from django.db import transaction

from pacte.enums import Famille, Role
from pacte.models import Organisme, Region
from pacte.services import organisme_enregistrer, utilisateur_creer

COMPTES_DEMO = [
    ("ush", Role.EQUIPE_USH, "Équipe", "USH"),
    ("commission", Role.COMMISSION, "Membre", "Commission"),
    ("commission-b", Role.COMMISSION, "Second membre", "Commission"),  # four-eyes: two members approve a run
    ("comite", Role.COMITE_SUIVI, "Membre", "Comité de suivi"),
    ("secretariat", Role.SECRETARIAT, "Secrétariat", "Comité"),
    ("referent-idf", Role.REFERENT_REGIONAL, "Référent", "Île-de-France"),
    ("orientation", Role.COMITE_ORIENTATION, "Membre", "Comité d'orientation"),
    ("bailleur", Role.ORGANISME, "Bailleur", "Démonstration"),
    ("admin", Role.ADMINISTRATEUR, "Administrateur", "Plateforme"),
]
SIREN_DEMO = "200000016"


def mot_de_passe_demo(identifiant: str) -> str:
    return f"pacte-{identifiant}-2013"


def _organisme_demo() -> Organisme:
    existant = Organisme.objects.filter(famille=Famille.OPH, metropole=True).order_by("siren").first()
    if existant:
        return existant
    return organisme_enregistrer(
        acting_user=None,
        siren=SIREN_DEMO,
        raison_sociale="Office public de l'habitat de démonstration",
        famille=Famille.OPH,
        region=Region.objects.get(code="11"),
        metropole=True,
    )


def comptes_demo_creer() -> list[dict]:
    """Create (or reset) the demo accounts; returns identifiant, rôle and mot de passe for printing."""
    if settings.PRODUCTION:
        raise RuntimeError("Les comptes de démonstration ne sont jamais créés en production.")
    comptes = []
    with transaction.atomic():
        perimetres = {Role.REFERENT_REGIONAL: {"region": Region.objects.get(code="11")},
                      Role.ORGANISME: {"organisme": _organisme_demo()}}
        for identifiant, role, prenom, nom in COMPTES_DEMO:
            utilisateur_creer(username=identifiant, role=role, password=mot_de_passe_demo(identifiant),
                              first_name=prenom, last_name=nom, email=f"{identifiant}@demo.pacte.invalid",
                              **perimetres.get(role, {}))
            motdepasse = mot_de_passe_demo(identifiant)
            comptes.append({"identifiant": identifiant, "role": role.label, "mot_de_passe": motdepasse})
    return comptes
