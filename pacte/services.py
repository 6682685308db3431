"""Every write of the pacte core: referentials, roles, demo accounts, audit, worker jobs."""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from pacte.enums import Role, StatutTravail
from pacte.models import Departement, Engagement, Evenement, Organisme, Region, Travail, Utilisateur
from pacte.roles import PERMISSIONS_PAR_ROLE, ROLES_EQUIPE

FIXTURES = settings.BASE_DIR / "fixtures"


def evenement_enregistrer(*, acting_user, action: str, objet: str = "", details: dict | None = None) -> Evenement:
    auteur = acting_user if acting_user is not None and acting_user.is_authenticated else None
    return Evenement.objects.create(auteur=auteur, action=action, objet=objet, details=details or {})


def _lire_json(nom: str):
    return json.loads((FIXTURES / nom).read_text(encoding="utf-8"))


def _regions_charger() -> dict[str, int]:
    compte = {"regions": 0, "departements": 0}
    for ligne in _lire_json("regions.json"):
        region, _ = Region.objects.update_or_create(
            code=ligne["code"],
            defaults={"nom": ligne["nom"], "metropole": ligne["metropole"], "prioritaire": ligne["prioritaire"]},
        )
        compte["regions"] += 1
        for dep in ligne["departements"]:
            Departement.objects.update_or_create(code=dep["code"], defaults={"nom": dep["nom"], "region": region})
            compte["departements"] += 1
    return compte


def _engagements_charger() -> int:
    """Upsert by code; the status and its updates belong to the committee and are never overwritten."""
    lignes = _lire_json("engagements.json")
    for ordre, ligne in enumerate(lignes, start=1):
        champs = {cle: ligne.get(cle, "") for cle in ("partie", "section", "titre", "texte", "indicateur", "cible")}
        echeance = ligne.get("echeance") or None
        champs["echeance"] = date.fromisoformat(echeance) if echeance else None
        Engagement.objects.update_or_create(code=ligne["code"], defaults={**champs, "ordre": ordre})
    return len(lignes)


def referentiels_charger(*, acting_user=None) -> dict[str, int]:
    """Load the reference data shipped in fixtures/ (régions, départements, engagements); safe to run again."""
    from pacte.chargeurs import chargeurs_supplementaires

    with transaction.atomic():
        compte = _regions_charger()
        compte["engagements"] = _engagements_charger()
        for chargeur in chargeurs_supplementaires():
            compte.update(chargeur())
        evenement_enregistrer(acting_user=acting_user, action="referentiels_charger", details=compte)
    return compte


def _permissions(codes: set[str]):
    if "*" in codes:
        return Permission.objects.all()
    paires = [code.split(".", 1) for code in codes]
    permissions = list(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in paires}, codename__in={nom for _, nom in paires}
        ).select_related("content_type")
    )
    trouvees = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
    manquantes = codes - trouvees
    if manquantes:
        raise ValueError(f"Permissions inconnues : {', '.join(sorted(manquantes))}")
    return [p for p in permissions if f"{p.content_type.app_label}.{p.codename}" in codes]


def roles_synchroniser() -> None:
    """Make each role's group hold exactly the permissions of pacte/roles.py."""
    with transaction.atomic():
        for role, codes in PERMISSIONS_PAR_ROLE.items():
            groupe, _ = Group.objects.get_or_create(name=Role(role).label)
            groupe.permissions.set(_permissions(codes))


def utilisateur_creer(*, username: str, role: str, password: str | None, acting_user=None, **champs) -> Utilisateur:
    """Create or update a user with one role (its group, its staff flag, its scope)."""
    with transaction.atomic():
        utilisateur, _ = Utilisateur.objects.update_or_create(
            username=username, defaults={"role": role, "is_staff": role in ROLES_EQUIPE, **champs}
        )
        if password is not None:
            utilisateur.set_password(password)
            utilisateur.save(update_fields=["password"])
        utilisateur.groups.set([Group.objects.get(name=Role(role).label)])
        evenement_enregistrer(
            acting_user=acting_user, action="utilisateur_creer", objet=username, details={"role": role}
        )
    return utilisateur


def travail_creer(*, nature: str, parametres: dict | None = None, acting_user=None) -> Travail:
    """Record a job and enqueue it on the worker once the transaction commits."""
    from pacte.tasks import travail_executer

    with transaction.atomic():
        auteur = acting_user if acting_user is not None and acting_user.is_authenticated else None
        travail = Travail.objects.create(nature=nature, parametres=parametres or {}, cree_par=auteur)
        transaction.on_commit(lambda: travail_executer.delay(travail.pk))
    return travail


def travail_avancer(travail: Travail, *, avancement: int, total: int, message: str = "") -> None:
    Travail.objects.filter(pk=travail.pk).update(avancement=avancement, total=total, message=message)


def travail_terminer(travail: Travail, *, statut: str, resultat: dict | None = None, message: str = "") -> None:
    travail.statut = statut
    travail.resultat = resultat or {}
    travail.message = message
    travail.fin = timezone.now()
    travail.save(update_fields=["statut", "resultat", "message", "fin", "updated_at"])


def travail_demarrer(travail_id: int) -> Travail | None:
    """Lock the job row; a job already started (a redelivered message) is not run twice."""
    with transaction.atomic():
        travail = Travail.objects.select_for_update().get(pk=travail_id)
        if travail.statut != StatutTravail.EN_ATTENTE:
            return None
        travail.statut = StatutTravail.EN_COURS
        travail.debut = timezone.now()
        travail.save(update_fields=["statut", "debut", "updated_at"])
    return travail


def fichier_conserver(contenu: bytes, *, empreinte: str, nom: str) -> Path:
    """Keep an imported file under var/fichiers (outside the web root), named by its content hash."""
    dossier = settings.FICHIERS_DIR / empreinte[:2]
    dossier.mkdir(parents=True, exist_ok=True)
    chemin = dossier / f"{empreinte}{Path(nom).suffix.lower()}"
    if not chemin.exists():
        chemin.write_bytes(contenu)
    return chemin


def organisme_enregistrer(*, acting_user, siren: str, **champs) -> Organisme:
    with transaction.atomic():
        organisme = Organisme(siren=siren, **champs)
        organisme.full_clean(validate_unique=False)
        organisme.save()
        evenement_enregistrer(acting_user=acting_user, action="organisme_enregistrer", objet=siren, details={})
    return organisme
