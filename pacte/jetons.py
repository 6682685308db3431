"""API tokens (docs/api.md): creation, revocation, and the lookup the API's authentication does.

A token is ``pacte_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is stored: a stolen
database does not give working tokens, and a token is shown once, when it is created.
"""

import hashlib
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from pacte.models import JetonApi, Utilisateur
from pacte.services import evenement_enregistrer

PREFIXE = "pacte_"
# The last use is written at most once a minute per token: a busy script does not turn every read into a write.
INTERVALLE_DERNIER_USAGE = 60


class JetonRefuse(Exception):
    """A token that does not authenticate, with the reason (shown to the client, never naming another user)."""


def empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def jeton_creer(*, acting_user, utilisateur: Utilisateur, nom: str,
                expire_le: datetime | None = None) -> tuple[JetonApi, str]:
    """Creates a token for ``utilisateur``; returns the row and the token in clear, which is never stored."""
    if not utilisateur.is_active:
        raise JetonRefuse(f"Le compte {utilisateur.username} est désactivé : pas de jeton.")
    if expire_le is not None and expire_le <= timezone.now():
        raise JetonRefuse("La date d'expiration doit être dans le futur.")
    jeton = PREFIXE + secrets.token_urlsafe(32)
    with transaction.atomic():
        ligne = JetonApi.objects.create(utilisateur=utilisateur, nom=nom, prefixe=jeton[:12],
                                        empreinte=empreinte(jeton), expire_le=expire_le)
        evenement_enregistrer(acting_user=acting_user, action="jeton_api_creer", objet=utilisateur.username,
                              details={"jeton": ligne.pk, "prefixe": ligne.prefixe, "nom": nom,
                                       "expire_le": expire_le.isoformat() if expire_le else None})
    return ligne, jeton


def jeton_revoquer(*, acting_user, jeton_id: int) -> JetonApi:
    with transaction.atomic():
        ligne = JetonApi.objects.select_for_update().select_related("utilisateur").get(pk=jeton_id)
        if ligne.revoque_le is None:
            ligne.revoque_le = timezone.now()
            ligne.save(update_fields=["revoque_le"])
            evenement_enregistrer(acting_user=acting_user, action="jeton_api_revoquer",
                                  objet=ligne.utilisateur.username,
                                  details={"jeton": ligne.pk, "prefixe": ligne.prefixe})
    return ligne


def jeton_authentifier(jeton: str) -> Utilisateur:
    """The active user a token stands for, or JetonRefuse (unknown, revoked, expired, account disabled)."""
    maintenant = timezone.now()
    ligne = (JetonApi.objects.select_related("utilisateur").filter(empreinte=empreinte(jeton)).first()
             if jeton.startswith(PREFIXE) else None)
    if ligne is None:
        raise JetonRefuse("Jeton inconnu.")
    if ligne.revoque_le is not None:
        raise JetonRefuse("Jeton révoqué.")
    if ligne.expire_le is not None and ligne.expire_le <= maintenant:
        raise JetonRefuse("Jeton expiré.")
    if not ligne.utilisateur.is_active:
        raise JetonRefuse("Compte désactivé.")
    if ligne.dernier_usage is None or (maintenant - ligne.dernier_usage).total_seconds() >= INTERVALLE_DERNIER_USAGE:
        JetonApi.objects.filter(pk=ligne.pk).update(dernier_usage=maintenant)
    return ligne.utilisateur
