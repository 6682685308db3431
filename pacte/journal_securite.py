"""The security journal (docs/acces.md): who signed in, failed to, signed out, was refused, downloaded a file or
changed a user's rights — with the actor, the time, the target and the client's address.

Each event is one line on the ``pacte.securite`` logger (for the log collector) and one ``pacte.Evenement`` row
(action ``securite_…``, immutable like every audit row). Sign-ins come from Django's auth signals and axes's
``user_locked_out``; refusals and downloads from ``JournalSecuriteMiddleware`` (every view, page or API, without
each one saying so); changes of rights from model signals on the user, its groups and its own permissions — so the
admin, a command and the shell are all seen. The actor of a change is read from the audit context (pacte.audit).
"""

from __future__ import annotations

import logging

from axes.helpers import get_client_ip_address, get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.shortcuts import render
from pghistory.runtime import _tracker

from pacte.audit import _compte_systeme
from pacte.models import Evenement, Utilisateur

logger = logging.getLogger("pacte.securite")

CONNEXION = "securite_connexion"
CONNEXION_ECHEC = "securite_connexion_echec"
VERROUILLAGE = "securite_verrouillage"
DECONNEXION = "securite_deconnexion"
ACCES_REFUSE = "securite_acces_refuse"
TELECHARGEMENT = "securite_telechargement"
DROITS = "securite_droits_modifies"

# A user's rights: its role, scope and flags (its groups and own permissions are followed by m2m signals).
CHAMPS_DROITS = ("role", "region_id", "organisme_id", "is_active", "is_staff", "is_superuser")
TYPES_FICHIERS = ("application/pdf", "application/zip", "text/csv",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def adresse_ip(request) -> str:
    """The client's address as axes sees it (REMOTE_ADDR, or behind PACTE_PROXIES proxies the nearest one's)."""
    if request is None:
        return ""
    return get_client_ip_address(request) or ""


def journaliser(action: str, *, request=None, auteur=None, cible: str = "", niveau: int = logging.INFO,
                **details) -> Evenement:
    """Write one security event: a log line and an immutable row. ``auteur`` defaults to the request's user."""
    if auteur is None and request is not None:
        auteur = getattr(request, "user", None)
    connu = auteur if auteur is not None and auteur.is_authenticated else None
    details = {"ip": adresse_ip(request), "utilisateur": connu.get_username() if connu else "", **details}
    logger.log(niveau, "%s auteur=%s cible=%s %s", action, details["utilisateur"] or "-", cible or "-",
               " ".join(f"{cle}={valeur}" for cle, valeur in details.items() if cle != "utilisateur"))
    return Evenement.objects.create(auteur=connu, action=action, objet=cible[:120], details=details)


# --- Sign-in, failure, lockout, sign-out -----------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="journal_securite_connexion")
def _connexion(sender, request, user, **_):
    journaliser(CONNEXION, request=request, auteur=user, cible=user.get_username(),
                moyen=getattr(user, "backend", "") or "")


@receiver(user_login_failed, dispatch_uid="journal_securite_echec")
def _connexion_echouee(sender, credentials, request=None, **_):
    identifiant = str(credentials.get("username", ""))
    journaliser(CONNEXION_ECHEC, request=request, cible=identifiant, niveau=logging.WARNING,
                identifiant_essaye=identifiant, verrouille=bool(getattr(request, "axes_locked_out", False)))


@receiver(user_locked_out, dispatch_uid="journal_securite_verrouillage")
def _verrouillage(sender, request, username, ip_address, **_):
    journaliser(VERROUILLAGE, request=request, cible=str(username or ""), niveau=logging.WARNING,
                identifiant_essaye=str(username or ""), tentatives=settings.AXES_FAILURE_LIMIT)


@receiver(user_logged_out, dispatch_uid="journal_securite_deconnexion")
def _deconnexion(sender, request, user, **_):
    if user is not None:
        journaliser(DECONNEXION, request=request, auteur=user, cible=user.get_username())


def reponse_verrouillage(request, original_response=None, credentials=None):
    """axes's lockout answer (AXES_LOCKOUT_CALLABLE): a French DSFR page, 429."""
    minutes = max(1, round(get_cool_off(request).total_seconds() / 60))
    identifiant = (credentials or {}).get("username", "") or request.POST.get("username", "")
    return render(request, "pacte/verrouillage.html", {
        "identifiant": identifiant, "tentatives": settings.AXES_FAILURE_LIMIT, "minutes": minutes}, status=429)


# --- Refusals and downloads ------------------------------------------------------------------------------------------


def _telechargement(reponse) -> bool:
    type_contenu = reponse.get("Content-Type", "").split(";")[0].strip()
    return "attachment" in reponse.get("Content-Disposition", "") or type_contenu in TYPES_FICHIERS


class JournalSecuriteMiddleware:
    """Logs every refusal (401, 403, whoever asks) and every file served (CSV, XLSX, PDF, ZIP or any attachment),
    pages, API and admin alike. A 404 is logged on the logger only (not in the table: robots would fill it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        statut = reponse.status_code
        if statut in (401, 403):
            journaliser(ACCES_REFUSE, request=request, cible=request.path, niveau=logging.WARNING,
                        methode=request.method, statut=statut)
        elif statut == 404 and request.user.is_authenticated:
            logger.info("introuvable auteur=%s cible=%s ip=%s methode=%s", request.user.get_username(),
                        request.path, adresse_ip(request), request.method)
        elif 200 <= statut < 300 and request.method in ("GET", "POST") and _telechargement(reponse):
            journaliser(TELECHARGEMENT, request=request, cible=request.path, methode=request.method,
                        type=reponse.get("Content-Type", ""), fichier=reponse.get("Content-Disposition", ""),
                        parametres=request.GET.urlencode()[:200])
        return reponse


# --- Changes of a user's rights (admin, command, shell) --------------------------------------------------------------


def _acteur() -> tuple[Utilisateur | None, dict]:
    """Who is changing rights: the audit context's user (page, service) or command and system account."""
    contexte = dict(_tracker.value.metadata) if hasattr(_tracker, "value") else {}
    auteur = Utilisateur.objects.filter(pk=contexte["user"]).first() if contexte.get("user") else None
    origine = {cle: str(contexte[cle]) for cle in ("source", "page", "url", "commande", "tache") if contexte.get(cle)}
    if auteur is None and "page" not in origine and "url" not in origine:
        origine["compte_systeme"] = str(contexte.get("compte_systeme") or _compte_systeme())
    return auteur, origine


def _droits(valeurs: dict) -> dict:
    return {champ.removesuffix("_id"): valeurs[champ] for champ in CHAMPS_DROITS}


@receiver(pre_save, sender=Utilisateur, dispatch_uid="journal_securite_droits_avant")
def _droits_avant(sender, instance, update_fields=None, raw=False, **_):
    suivis = update_fields is None or set(update_fields) & {c.removesuffix("_id") for c in CHAMPS_DROITS}
    if raw or instance.pk is None or not suivis:
        return
    avant = Utilisateur.objects.filter(pk=instance.pk).values(*CHAMPS_DROITS).first()
    instance._droits_avant = _droits(avant) if avant else None


@receiver(post_save, sender=Utilisateur, dispatch_uid="journal_securite_droits_apres")
def _droits_apres(sender, instance, created=False, raw=False, **_):
    avant = instance.__dict__.pop("_droits_avant", None)
    if raw or created or avant is None:
        return
    apres = _droits({champ: getattr(instance, champ) for champ in CHAMPS_DROITS})
    changes = {champ: [avant[champ], apres[champ]] for champ in apres if avant[champ] != apres[champ]}
    if changes:
        auteur, origine = _acteur()
        journaliser(DROITS, auteur=auteur, cible=instance.get_username(), niveau=logging.WARNING,
                    changements=changes, **origine)


def _libelles(modele, cles) -> list[str]:
    return sorted(str(objet) for objet in modele.objects.filter(pk__in=cles))


def _relation_modifiee(relation: str, champ: str):
    def recepteur(sender, instance, action, reverse, model, pk_set, **_):
        if action == "pre_clear":  # what a clear() removes is gone afterwards: read it now
            if not reverse:
                instance._retraits = {relation: _libelles(model, getattr(instance, champ).values_list("pk", flat=True))}
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if action == "post_clear":
            if reverse:
                return  # group.user_set.clear(): rare, and the users are gone from the relation already
            libelles, utilisateurs = instance.__dict__.pop("_retraits", {}).get(relation, []), [instance]
        elif reverse:  # group.user_set.add(user…): ``instance`` is the group, pk_set the users
            libelles, utilisateurs = [str(instance)], list(Utilisateur.objects.filter(pk__in=pk_set))
        else:
            libelles, utilisateurs = _libelles(model, pk_set), [instance]
        if not libelles:
            return
        auteur, origine = _acteur()
        sens = "ajout" if action == "post_add" else "retrait"
        for utilisateur in utilisateurs:
            journaliser(DROITS, auteur=auteur, cible=utilisateur.get_username(), niveau=logging.WARNING,
                        changements={relation: {sens: libelles}}, **origine)

    return recepteur


_groupes = _relation_modifiee("groupes", "groups")
_permissions = _relation_modifiee("permissions", "user_permissions")
m2m_changed.connect(_groupes, sender=Utilisateur.groups.through, dispatch_uid="journal_securite_groupes")
m2m_changed.connect(_permissions, sender=Utilisateur.user_permissions.through,
                    dispatch_uid="journal_securite_permissions")
