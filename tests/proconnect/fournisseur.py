"""A local OpenID Connect provider shaped like ProConnect, started by the tests (and by hand, see main()).

Same paths as ProConnect under /api/v2: discovery, /authorize (answers at once for the configured agent: no login
form), /token (id_token RS256 with the nonce), /userinfo (a JWT signed RS256, as ProConnect does), /jwks and
/session/end. It checks what a real provider checks (client id and secret, redirect_uri, single-use codes, bearer
token), and ``alterations`` lets a test make it misbehave: another nonce, another signing key, "alg": "none"…
"""

import argparse
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CHEMIN = "/api/v2"
KID = "cle-de-test"
SCOPES = "openid email given_name usual_name uid siret"


def cle_rsa():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Fournisseur:
    def __init__(self, client_id: str, client_secret: str, port: int = 0):
        self.client_id = client_id
        self.client_secret = client_secret
        self.cle = cle_rsa()
        self.autre_cle = cle_rsa()  # never published: what a forger would sign with
        self.serveur = ThreadingHTTPServer(("127.0.0.1", port), _Requete)
        self.serveur.daemon_threads = True
        self.serveur.fournisseur = self
        self.reinitialiser()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.serveur.server_address[1]}{CHEMIN}"

    def reinitialiser(self, email: str = "agent@exemple.gouv.fr") -> None:
        self.agent = {"email": email, "given_name": "Camille", "usual_name": "Agent", "uid": "42",
                      "siret": "11000201100044", "sub": "sub-" + email}
        self.alterations: dict = {}
        self.codes: dict[str, dict] = {}
        self.jetons: dict[str, dict] = {}
        self.autorisations: list[dict] = []  # the /authorize requests received
        self.fins_de_session: list[dict] = []

    def demarrer(self) -> "Fournisseur":
        threading.Thread(target=self.serveur.serve_forever, daemon=True).start()
        return self

    def arreter(self) -> None:
        self.serveur.shutdown()
        self.serveur.server_close()

    def decouverte(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/session/end",
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "scopes_supported": SCOPES.split(),
            "response_types_supported": ["code"],
        }

    def jwks(self) -> dict:
        cle = jwt.algorithms.RSAAlgorithm.to_jwk(self.cle.public_key(), as_dict=True)
        return {"keys": [{**cle, "kid": KID, "use": "sig", "alg": "RS256"}]}

    def signer(self, revendications: dict, quoi: str) -> str:
        """quoi: "id_token" or "userinfo"; alterations["<quoi>_alg"] = "none", ["<quoi>_cle"] = "autre"."""
        if self.alterations.get(f"{quoi}_alg") == "none":
            return jwt.encode(revendications, None, algorithm="none")
        cle = self.autre_cle if self.alterations.get(f"{quoi}_cle") == "autre" else self.cle
        return jwt.encode(revendications, cle, algorithm="RS256", headers={"kid": KID})

    def _revendications(self, quoi: str, agent: dict, **autres) -> dict:
        maintenant = int(time.time())
        revendications = {"iss": self.url, "aud": self.client_id, "sub": agent["sub"], "iat": maintenant,
                          "exp": maintenant + 60, **autres}
        revendications.update(self.alterations.get(quoi, {}))  # e.g. {"iss": …}, {"aud": …}, {"nonce": …}
        return revendications

    def autoriser(self, parametres: dict) -> str:
        """/authorize: the redirect back to the client, with a fresh code bound to this request."""
        self.autorisations.append(parametres)
        if parametres.get("client_id") != self.client_id or parametres.get("response_type") != "code":
            raise ValueError("client_id ou response_type inconnu")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": parametres.get("nonce"), "redirect_uri": parametres["redirect_uri"],
                            "agent": dict(self.agent)}
        return f"{parametres['redirect_uri']}?{urlencode({'code': code, 'state': parametres['state']})}"

    def jeton(self, formulaire: dict) -> dict:
        """/token: exchanges a code once, for the client that asked for it, at the same redirect_uri."""
        if (formulaire.get("client_id"), formulaire.get("client_secret")) != (self.client_id, self.client_secret):
            raise PermissionError("client inconnu")
        demande = self.codes.pop(formulaire.get("code", ""), None)
        if demande is None or demande["redirect_uri"] != formulaire.get("redirect_uri"):
            raise PermissionError("code inconnu, déjà utilisé ou redirect_uri différente")
        acces = secrets.token_urlsafe(16)
        self.jetons[acces] = demande["agent"]
        id_token = self.signer(self._revendications("id_token", demande["agent"], nonce=demande["nonce"],
                                                    acr="eidas1"), "id_token")
        return {"access_token": acces, "token_type": "Bearer", "expires_in": 60, "id_token": id_token}

    def userinfo(self, autorisation: str) -> tuple[str, str]:
        agent = self.jetons.get(autorisation.removeprefix("Bearer "))
        if agent is None:
            raise PermissionError("jeton d'accès inconnu")
        revendications = self._revendications("userinfo", agent, **{k: v for k, v in agent.items() if k != "sub"})
        if self.alterations.get("userinfo_json"):
            return "application/json", json.dumps(revendications)
        return "application/jwt; charset=utf-8", self.signer(revendications, "userinfo")

    def fin_de_session(self, parametres: dict) -> str:
        jwt.decode(parametres["id_token_hint"], self.cle.public_key(), algorithms=["RS256"], audience=self.client_id)
        self.fins_de_session.append(parametres)
        return f"{parametres['post_logout_redirect_uri']}?{urlencode({'state': parametres['state']})}"


class _Requete(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass  # quiet in the tests' output

    def _repondre(self, statut: int, corps: str = "", type_: str = "application/json", **entetes) -> None:
        donnees = corps.encode()
        self.send_response(statut)
        self.send_header("Content-Type", type_)
        self.send_header("Content-Length", str(len(donnees)))
        for nom, valeur in entetes.items():
            self.send_header(nom, valeur)
        self.end_headers()
        self.wfile.write(donnees)

    def _router(self, parametres: dict) -> None:
        fournisseur = self.server.fournisseur
        chemin = urlsplit(self.path).path.removeprefix(CHEMIN)
        try:
            if chemin == "/.well-known/openid-configuration":
                self._repondre(200, json.dumps(fournisseur.decouverte()))
            elif chemin == "/jwks":
                self._repondre(200, json.dumps(fournisseur.jwks()))
            elif chemin == "/authorize":
                self._repondre(302, Location=fournisseur.autoriser(parametres))
            elif chemin == "/token" and self.command == "POST":
                self._repondre(200, json.dumps(fournisseur.jeton(parametres)))
            elif chemin == "/userinfo":
                type_, corps = fournisseur.userinfo(self.headers.get("Authorization", ""))
                self._repondre(200, corps, type_)
            elif chemin == "/session/end":
                self._repondre(302, Location=fournisseur.fin_de_session(parametres))
            else:
                self._repondre(404, json.dumps({"error": "not_found"}))
        except PermissionError as erreur:
            self._repondre(400, json.dumps({"error": "invalid_grant", "error_description": str(erreur)}))
        except (KeyError, ValueError, jwt.PyJWTError) as erreur:
            self._repondre(400, json.dumps({"error": "invalid_request", "error_description": str(erreur)}))

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._router({k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()})

    def do_POST(self):  # noqa: N802
        longueur = int(self.headers.get("Content-Length") or 0)
        self._router({k: v[0] for k, v in parse_qs(self.rfile.read(longueur).decode()).items()})


def main() -> None:
    """By hand: python -m tests.proconnect.fournisseur --email vous@exemple.gouv.fr, then runserver with the
    variables it prints (the e-mail must be a Pacte user's)."""
    arguments = argparse.ArgumentParser(description=main.__doc__)
    arguments.add_argument("--port", type=int, default=8765)
    arguments.add_argument("--email", default="agent@exemple.gouv.fr")
    options = arguments.parse_args()
    fournisseur = Fournisseur("pacte-local", "secret-local", options.port)
    fournisseur.reinitialiser(options.email)
    print(f"PROCONNECT_URL_BASE={fournisseur.url} PROCONNECT_CLIENT_ID=pacte-local "  # noqa: T201
          "PROCONNECT_CLIENT_SECRET=secret-local")
    fournisseur.serveur.serve_forever()


if __name__ == "__main__":
    main()
