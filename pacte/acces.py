"""One access declaration for pages and API endpoints.

A view declares ``permissions_requises`` (a tuple of "app.codename"; empty = any signed-in user) or
``acces_public = True``. A test walks every URL and checks the declaration against every role.
"""

from django.contrib.auth.mixins import AccessMixin
from rest_framework.permissions import BasePermission


def a_les_permissions(user, permissions) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perms(permissions))


class AccesMixin(AccessMixin):
    permissions_requises: tuple[str, ...] = ()
    acces_public = False
    raise_exception = False

    def dispatch(self, request, *args, **kwargs):
        if not self.acces_public:
            if not request.user.is_authenticated:
                return self.handle_no_permission()
            if not a_les_permissions(request.user, self.permissions_requises):
                self.raise_exception = True
                return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)


class PermissionsPacte(BasePermission):
    """DRF side of the same declaration: reads ``permissions_requises`` from the view."""

    def has_permission(self, request, view):
        if getattr(view, "acces_public", False):
            return True
        return a_les_permissions(request.user, getattr(view, "permissions_requises", ()))
