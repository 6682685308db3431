"""ProConnect, the State's OpenID Connect sign-in for agents, next to passwords (docs/proconnect.md).

Built on mozilla-django-oidc (code flow, state and nonce kept in the session), made strict where the library is
lenient: every JWT — the id_token and the userinfo, which ProConnect always signs — is checked for its RS256
signature against the provider's JWKS, its issuer and its audience; the userinfo's ``sub`` must be the id_token's;
no account is ever created (only an active user already provisioned with the same e-mail, case-insensitive, signs
in), and each refusal says why, in French, on the login page. Off (every URL below answers 404) unless
PROCONNECT_URL_BASE is set.
"""

import hmac
import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.urls import path, reverse
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from pacte.acces import AccesMixin

journal = logging.getLogger("pacte.securite")


class ReponseInvalide(Exception):
    """A provider answer that fails a check. Not a SuspiciousOperation: mozilla-django-oidc swallows those in
    get_or_create_user, and the refusal must reach the login page with its reason."""

MESSAGE_VERIFICATION = (
    "La réponse de ProConnect n'a pas pu être vérifiée : connexion refusée. "
    "Recommencez la connexion avec ProConnect."
)
MESSAGE_INDISPONIBLE = (
    "ProConnect ne répond pas pour le moment. Réessayez plus tard, ou connectez-vous avec votre identifiant "
    "et votre mot de passe Pacte."
)
MESSAGE_SESSION = (
    "La demande de connexion ProConnect a expiré ou ne correspond pas à cette session du navigateur. "
    "Recommencez la connexion avec ProConnect."
)
MESSAGE_ANNULEE = "La connexion avec ProConnect a été annulée ou refusée par ProConnect."


def message_inconnu(email: str) -> str:
    return (
        f"Aucun compte Pacte n'est associé à l'adresse {email} transmise par ProConnect. Seuls les comptes créés "
        "au préalable par l'administrateur de Pacte peuvent se connecter : demandez-lui d'ouvrir le vôtre."
    )


def message_doublon(email: str) -> str:
    return (
        f"Plusieurs comptes Pacte portent l'adresse {email} : la connexion avec ProConnect est impossible tant que "
        "l'administrateur de Pacte n'a pas laissé cette adresse à un seul compte."
    )


def message_desactive(email: str) -> str:
    return f"Le compte Pacte associé à l'adresse {email} est désactivé. Adressez-vous à l'administrateur de Pacte."


class BackendProConnect(OIDCAuthenticationBackend):
    """The OIDC code flow's last leg: code → tokens → verified claims → an existing, active user (or None)."""

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password sign-in whose URL happens to carry ?code=&state= must
        # never make this backend call the provider.
        if request is None or not settings.PROCONNECT_ACTIF or not kwargs.get("nonce"):
            return None
        try:
            utilisateur = super().authenticate(request, **kwargs)
        except (ReponseInvalide, SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError, ValueError) as erreur:
            return self._refuser(request, MESSAGE_VERIFICATION, erreur)
        except requests.HTTPError as erreur:  # 4xx: a code refused (replayed, expired); 5xx: the provider is down
            en_panne = erreur.response is None or erreur.response.status_code >= 500
            return self._refuser(request, MESSAGE_INDISPONIBLE if en_panne else MESSAGE_VERIFICATION, erreur)
        except requests.RequestException as erreur:
            return self._refuser(request, MESSAGE_INDISPONIBLE, erreur)
        if utilisateur is not None:  # kept for the provider's logout (id_token_hint), only once signed in
            request.session["oidc_id_token"] = self._id_token
        return utilisateur

    @staticmethod
    def _refuser(request, message: str, erreur: Exception) -> None:
        journal.warning("ProConnect : connexion refusée (%s : %s)", type(erreur).__name__, erreur)
        request.proconnect_refus = message

    def store_tokens(self, access_token, id_token):
        self._id_token = id_token

    def verify_token(self, token, **kwargs):
        """The id_token: signature, issuer, audience, expiry and the nonce this session sent."""
        revendications = self._decoder(token, obligatoires=["iss", "aud", "sub", "exp", "iat", "nonce"])
        if not hmac.compare_digest(str(revendications["nonce"]), str(kwargs.get("nonce") or "")):
            raise ReponseInvalide("nonce de l'id_token différent de celui de la session")
        self._sub = revendications["sub"]
        return revendications

    def get_userinfo(self, access_token, id_token, payload):
        """ProConnect's userinfo is a JWT signed like the id_token; a plain JSON answer is refused."""
        reponse = requests.get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=self.get_settings("OIDC_TIMEOUT", None),
        )
        reponse.raise_for_status()
        if not reponse.headers.get("content-type", "").lower().startswith("application/jwt"):
            raise ReponseInvalide("userinfo non signée (application/jwt attendu)")
        revendications = self._decoder(reponse.text, obligatoires=["iss", "aud", "sub"])
        if revendications["sub"] != self._sub:
            raise ReponseInvalide("sub de la userinfo différent de celui de l'id_token")
        return revendications

    def _decoder(self, jeton: str, obligatoires: list[str]) -> dict:
        return jwt.decode(
            jeton,
            self._cle(jeton),
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=settings.PROCONNECT_EMETTEUR,
            leeway=30,
            options={"require": obligatoires},
        )

    def _cle(self, jeton: str):
        """The JWKS key named by the token's kid, for the one algorithm we accept (never "none", never HS*)."""
        entete = jwt.get_unverified_header(jeton)
        if entete.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise ReponseInvalide(f"algorithme {entete.get('alg')!r} refusé ({self.OIDC_RP_SIGN_ALGO} attendu)")
        if not hasattr(self, "_jwks"):
            reponse = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=self.get_settings("OIDC_TIMEOUT", None))
            reponse.raise_for_status()
            self._jwks = reponse.json()["keys"]
        cles = [
            cle for cle in self._jwks
            if cle.get("kid") == entete.get("kid") and cle.get("use", "sig") == "sig"
            and cle.get("alg", self.OIDC_RP_SIGN_ALGO) == self.OIDC_RP_SIGN_ALGO
        ]
        if len(cles) != 1:
            raise ReponseInvalide(f"aucune clé unique du JWKS pour kid={entete.get('kid')!r}")
        return jwt.PyJWK(cles[0], algorithm=self.OIDC_RP_SIGN_ALGO).key

    def verify_claims(self, claims):
        return bool(claims.get("email"))

    def get_or_create_user(self, access_token, id_token, payload):
        """Never creates: the one user with this e-mail (case-insensitive), if active; else a reason, and None."""
        revendications = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(revendications):
            raise ReponseInvalide("userinfo sans adresse e-mail")
        email = revendications["email"]
        utilisateurs = list(self.UserModel.objects.filter(email__iexact=email)[:2])
        if len(utilisateurs) != 1:
            journal.warning("ProConnect : %s comptes pour %s, connexion refusée", len(utilisateurs) or "aucun", email)
            self.request.proconnect_refus = (message_doublon if utilisateurs else message_inconnu)(email)
            return None
        if not utilisateurs[0].is_active:
            journal.warning("ProConnect : compte désactivé %s", email)
            self.request.proconnect_refus = message_desactive(email)
            return None
        return utilisateurs[0]

    def get_user(self, user_id):
        # mozilla-django-oidc's get_user skips the is_active check: a deactivated account must lose its session.
        return ModelBackend.get_user(self, user_id)


def url_fin_de_session(request) -> str | None:
    """ProConnect's end_session URL for a session opened through it (None otherwise); read before logout()."""
    id_token = request.session.get("oidc_id_token")
    if not (settings.PROCONNECT_ACTIF and id_token):
        return None
    parametres = {
        "id_token_hint": id_token,
        "state": get_random_string(32),
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("connexion")),
    }
    return f"{settings.PROCONNECT_URL_FIN_SESSION}?{urlencode(parametres)}"


class _SiConfigure:
    acces_public = True

    def dispatch(self, request, *args, **kwargs):
        if not settings.PROCONNECT_ACTIF:
            raise Http404("ProConnect n'est pas configuré sur ce site.")
        return super().dispatch(request, *args, **kwargs)


class Connexion(_SiConfigure, AccesMixin, OIDCAuthenticationRequestView):
    """Sends the browser to ProConnect with a fresh state and nonce (kept in the session)."""


class Retour(_SiConfigure, AccesMixin, OIDCAuthenticationCallbackView):
    """ProConnect sends the browser back here with ?code=&state= (or ?error=)."""

    @property
    def failure_url(self):
        return reverse("connexion")

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as erreur:  # a state this session never sent: forged, replayed or expired
            journal.warning("ProConnect : retour refusé (%s)", erreur)
            return self.login_failure()

    def login_failure(self):
        refus = getattr(self.request, "proconnect_refus", None)  # the backend's reason; Django reported the failure
        if refus is None and "error" in self.request.GET:
            refus = MESSAGE_ANNULEE
        elif refus is None:  # refused before authenticate(): reported here, for axes and the security journal
            refus = MESSAGE_SESSION
            user_login_failed.send(sender=__name__, credentials={"proconnect": "state inconnu"}, request=self.request)
        messages.error(self.request, refus)
        return super().login_failure()


app_name = "proconnect"
urlpatterns = [
    path("connexion/", Connexion.as_view(), name="connexion"),
    path("retour/", Retour.as_view(), name="retour"),
]
