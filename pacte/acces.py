"""One access declaration for pages and API endpoints.

A view declares ``permissions_requises`` (a tuple of "app.codename", all needed; empty = any signed-in user),
optionally ``permissions_alternatives`` (at least one of them needed as well), or ``acces_public = True``.
A test walks every URL and checks the declaration against every role.
"""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.mixins import AccessMixin
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
