"""Roles of domain.md §1 and the explicit permissions each group holds.

Every view and endpoint declares the permissions it needs (``permissions_requises``); this table says who has them.
An empty declaration means "any signed-in user"; ``acces_public`` means no sign-in at all.
"""

from pacte.enums import Role

LECTURE_REFERENTIELS = {"pacte.view_region", "pacte.view_departement", "pacte.view_organisme", "pacte.view_engagement"}

PERMISSIONS_PAR_ROLE: dict[str, set[str]] = {
    Role.EQUIPE_USH: LECTURE_REFERENTIELS
    | {
        "pacte.gerer_referentiels",
        "pacte.add_organisme",
        "pacte.change_organisme",
        "pacte.view_fusion",
        "pacte.add_fusion",
        "pacte.change_fusion",
    },
    Role.COMMISSION: LECTURE_REFERENTIELS,
    Role.COMITE_SUIVI: LECTURE_REFERENTIELS,
    Role.SECRETARIAT: LECTURE_REFERENTIELS | {"pacte.modifier_statut_engagement", "pacte.change_engagement"},
    Role.REFERENT_REGIONAL: LECTURE_REFERENTIELS,
    Role.COMITE_ORIENTATION: LECTURE_REFERENTIELS,
    Role.ORGANISME: {"pacte.view_engagement"},
    Role.ADMINISTRATEUR: {"*"},
}

# Roles that work in Django's admin (referential maintenance with django-import-export, users).
ROLES_EQUIPE = {Role.EQUIPE_USH, Role.ADMINISTRATEUR}


def ajouter_permissions(role: str, permissions: set[str]) -> None:
    """Lets an app grant its own permissions to a role (called from the app's roles module at import time)."""
    PERMISSIONS_PAR_ROLE[role] = PERMISSIONS_PAR_ROLE[role] | permissions
