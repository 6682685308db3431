"""One access declaration for pages and API endpoints.

A view declares ``permissions_requises`` (a tuple of "app.codename", all needed; empty = any signed-in user),
optionally ``permissions_alternatives`` (at least one of them needed as well), or ``acces_public = True``.
A test walks every URL and checks the declaration against every role.
"""

import functools

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework.permissions import BasePermission


def a_les_permissions(user, permissions, alternatives=()) -> bool:
    if not (user and user.is_authenticated and user.is_active and user.has_perms(permissions)):
        return False
    return not alternatives or any(user.has_perm(permission) for permission in alternatives)


def autorise(vue, user) -> bool:
    """The one reading of a view's declaration, shared by pages, API and the URL × role test."""
    if getattr(vue, "acces_public", False):
        return True
    return a_les_permissions(user, getattr(vue, "permissions_requises", ()),
                             getattr(vue, "permissions_alternatives", ()))


# A page reads with GET (HEAD) and writes with a form's POST; Django's form views would also take PUT as a POST.
METHODES_DES_PAGES = {"get", "head", "post", "options"}


class AccesMixin(AccessMixin):
    permissions_requises: tuple[str, ...] = ()
    permissions_alternatives: tuple[str, ...] = ()
    acces_public = False
    raise_exception = False

    def dispatch(self, request, *args, **kwargs):
        if not self.acces_public:
            if not request.user.is_authenticated:
                return self.handle_no_permission()
            if not autorise(self, request.user):
                self.raise_exception = True
                return self.handle_no_permission()
        if request.method.lower() not in METHODES_DES_PAGES:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class PermissionsPacte(BasePermission):
    """DRF side of the same declaration: reads ``permissions_requises`` from the view."""

    def has_permission(self, request, view):
        return autorise(view, request.user)


class AxesConnexionWeb(AxesStandaloneBackend):
    """django-axes's guard (pacte/settings.py, « Sécurité : axes ») on every sign-in that comes with a request.

    ``authenticate()`` without a request is server code (a shell, a command, the test client's ``login()``), not a
    password-guessing surface: axes would raise there, so it passes on to the next backend. Every sign-in over HTTP
    (login page, admin, DRF) passes the request and is counted."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


@functools.cache
def _sql_des_permissions() -> str:
    """A user's permissions, his own and his groups', in one query; table and column names read from the models once.
    A superuser (first parameter) has every permission, as in Django's ModelBackend."""
    utilisateur = get_user_model()._meta
    propres = utilisateur.get_field("user_permissions")
    groupes = utilisateur.get_field("groups")
    des_groupes = Group._meta.get_field("permissions")
    permission, type_ = Permission._meta.db_table, ContentType._meta.db_table
    return f"""
        SELECT ct.app_label, p.codename FROM {permission} p JOIN {type_} ct ON ct.id = p.content_type_id
        WHERE %s OR p.id IN (
            SELECT {propres.m2m_reverse_name()} FROM {propres.m2m_db_table()} WHERE {propres.m2m_column_name()} = %s
            UNION ALL
            SELECT gp.{des_groupes.m2m_reverse_name()} FROM {des_groupes.m2m_db_table()} gp
            JOIN {groupes.m2m_db_table()} ug ON ug.{groupes.m2m_reverse_name()} = gp.{des_groupes.m2m_column_name()}
            WHERE ug.{groupes.m2m_column_name()} = %s)
    """  # noqa: S608 - table and column names of the models, no user input


class PermissionsEnUneRequete(ModelBackend):
    """Django's ModelBackend, whose ``get_all_permissions`` reads the user's and his groups' permissions in one
    query instead of two ORM queries compiled on every request (docs/performances.md, « le plancher d'une page
    connectée »). Same answer (tests/test_acces.py compares them for every role), same per-user cache
    (``_perm_cache``, one request long), read again on every request: a role taken away denies the next page."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as curseur:
                curseur.execute(_sql_des_permissions(), [user_obj.is_superuser, user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {f"{application}.{code}" for application, code in curseur.fetchall()}
        return user_obj._perm_cache
