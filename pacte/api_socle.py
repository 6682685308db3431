"""What every API endpoint shares (docs/api.md): bearer-token authentication, pagination with a cap, and how a
user who acted is named.

Imports nothing of drf-spectacular: DRF loads these classes from its settings while its own modules are still
being imported. The schema side (the bearer scheme, the documented error statuses) is in pacte/api_schema.py."""

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.pagination import PageNumberPagination

MOTS_CLES = (b"bearer", b"token")


class JetonAuthentication(BaseAuthentication):
    """``Authorization: Bearer <jeton>`` (or ``Token <jeton>``). A request without the header is left to the session;
    a header with a bad token answers 401 (with ``WWW-Authenticate``), never falls back to the session."""

    def authenticate(self, request):
        from pacte.jetons import JetonRefuse, jeton_authentifier

        morceaux = get_authorization_header(request).split()
        if not morceaux or morceaux[0].lower() not in MOTS_CLES:
            return None
        if len(morceaux) != 2:  # noqa: PLR2004 - the keyword and the token
            raise AuthenticationFailed("En-tête Authorization mal formé : « Bearer <jeton> » attendu.")
        try:
            jeton = morceaux[1].decode("ascii")
            return jeton_authentifier(jeton), jeton
        except (UnicodeDecodeError, JetonRefuse) as refus:
            raise AuthenticationFailed(str(refus) if isinstance(refus, JetonRefuse) else "Jeton illisible.") from None

    def authenticate_header(self, request):
        # Only a client that sent a token is told how to authenticate (401); a request without credentials keeps
        # the 403 the pages' sign-in contract and the access matrix expect.
        morceaux = get_authorization_header(request).split()
        return 'Bearer realm="api"' if morceaux and morceaux[0].lower() in MOTS_CLES else None


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "taille"
    max_page_size = 500


def nom_affiche(utilisateur) -> str | None:
    """How the API names a user who acted (author, member, launcher): full name, else username; None for nobody."""
    return (utilisateur.get_full_name() or utilisateur.get_username()) if utilisateur else None
