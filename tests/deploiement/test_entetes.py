"""Production settings as deployed (PACTE_ENV=production, in a child process): the security headers of a response,
the cookies' attributes, the HTTP → HTTPS redirect; and the same Content-Security-Policy in development."""

import json

import pytest
from django.db import connection
from django.test import Client

from pacte.env import url_postgres
from tests.test_deploiement import _environnement_production, _manage

HOTE = "pacte.example.gouv.fr"
REQUETES = f"""
import json
from django.conf import settings
from django.test import Client
client = Client()
reponse = client.get("/connexion/", secure=True, HTTP_HOST="{HOTE}")
http = client.get("/connexion/", HTTP_HOST="{HOTE}")
print(json.dumps({{
    "statut": reponse.status_code,
    "entetes": {{nom.lower(): valeur for nom, valeur in reponse.headers.items()}},
    "cookies": {{nom: {{"secure": bool(m["secure"]), "httponly": bool(m["httponly"]), "samesite": m["samesite"],
                        "path": m["path"], "domain": m["domain"]}} for nom, m in reponse.cookies.items()}},
    "session": [settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                settings.SESSION_COOKIE_SAMESITE],
    "http": [http.status_code, http.headers.get("Location")],
}}))
"""


@pytest.fixture(scope="module")
def production(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        base = url_postgres(connection.settings_dict)
    resultat = _manage("shell", "-c", REQUETES, env=_environnement_production(DATABASE_URL=base))
    assert resultat.returncode == 0, resultat.stderr
    return json.loads(resultat.stdout.strip().splitlines()[-1])


def test_entetes_de_securite_en_production(production):
    assert production["statut"] == 200
    entetes = production["entetes"]
    assert entetes["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert entetes["x-frame-options"] == "DENY"
    assert entetes["x-content-type-options"] == "nosniff"
    assert entetes["referrer-policy"] == "same-origin"
    assert entetes["cross-origin-opener-policy"] == "same-origin"
    directives = dict(d.strip().partition(" ")[::2] for d in entetes["content-security-policy"].split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].split()[0] == "'self'" and "unsafe" not in directives["script-src"]
    assert "unsafe" not in directives["style-src"]
    assert directives["object-src"] == directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == directives["form-action"] == "'self'"
    assert "upgrade-insecure-requests" in directives


def test_cookies_securises_en_production(production):
    assert production["cookies"]["__Host-csrftoken"] == {
        "secure": True, "httponly": True, "samesite": "Lax", "path": "/", "domain": ""}
    assert production["session"] == ["__Host-sessionid", True, True, "Lax"]


def test_http_redirige_vers_https(production):
    assert production["http"] == [301, f"https://{HOTE}/connexion/"]


def test_la_meme_politique_en_developpement(client, db):
    politique = Client().get("/connexion/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in politique and "frame-ancestors 'none'" in politique
    assert "unsafe-inline" not in politique and "upgrade-insecure-requests" not in politique
