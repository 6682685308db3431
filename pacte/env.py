"""Strict parsing of the environment: a bad value stops the start with a clear message."""

import os
import re
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

VRAI = {"1", "true", "yes", "oui", "on"}
FAUX = {"0", "false", "no", "non", "off", ""}


def _brut(nom: str, defaut: str | None) -> str | None:
    valeur = os.environ.get(nom)
    return defaut if valeur is None else valeur.strip()


def env_str(nom: str, defaut: str | None = None) -> str | None:
    return _brut(nom, defaut)


def env_bool(nom: str, defaut: bool) -> bool:
    valeur = _brut(nom, None)
    if valeur is None:
        return defaut
    if valeur.lower() in VRAI:
        return True
    if valeur.lower() in FAUX:
        return False
    raise ImproperlyConfigured(f"{nom}={valeur!r} : valeur booléenne attendue (true/false, 1/0, oui/non).")


def env_int(nom: str, defaut: int, minimum: int = 0) -> int:
    valeur = _brut(nom, None)
    if valeur is None or valeur == "":
        return defaut
    if not re.fullmatch(r"\d+", valeur) or int(valeur) < minimum:
        raise ImproperlyConfigured(f"{nom}={valeur!r} : entier ≥ {minimum} attendu.")
    return int(valeur)


def env_liste(nom: str, defaut: list[str]) -> list[str]:
    valeur = _brut(nom, None)
    if valeur is None:
        return defaut
    return [element.strip() for element in valeur.split(",") if element.strip()]


def env_choix(nom: str, defaut: str, choix: tuple[str, ...]) -> str:
    valeur = _brut(nom, defaut) or defaut
    if valeur not in choix:
        raise ImproperlyConfigured(f"{nom}={valeur!r} : valeurs possibles {', '.join(choix)}.")
    return valeur


def base_de_donnees(url: str) -> dict:
    """A Django DATABASES entry from a postgres:// URL (socket directories accepted as ?host=)."""
    morceaux = urlsplit(url)
    if morceaux.scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
        raise ImproperlyConfigured(
            f"DATABASE_URL : schéma {morceaux.scheme!r} non pris en charge, PostgreSQL uniquement (postgres://…)."
        )
    nom = unquote(morceaux.path.lstrip("/"))
    if not nom:
        raise ImproperlyConfigured("DATABASE_URL : nom de la base manquant (postgres://utilisateur@hôte:5432/base).")
    requete = parse_qs(morceaux.query)
    try:
        port = morceaux.port
    except ValueError as erreur:
        raise ImproperlyConfigured(f"DATABASE_URL : port invalide ({erreur}).") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": nom,
        "USER": unquote(morceaux.username or ""),
        "PASSWORD": unquote(morceaux.password or ""),
        "HOST": requete.get("host", [morceaux.hostname or ""])[0],
        "PORT": str(port or ""),
    }


def url_sqlalchemy(base: dict) -> str:
    """The kombu SQLAlchemy transport URL for a Django DATABASES entry (psycopg 3 driver)."""
    identite = base["USER"] + (f":{base['PASSWORD']}" if base["PASSWORD"] else "")
    hote = base["HOST"]
    if hote.startswith("/"):
        return f"sqla+postgresql+psycopg://{identite}@/{base['NAME']}?host={hote}"
    port = f":{base['PORT']}" if base["PORT"] else ""
    return f"sqla+postgresql+psycopg://{identite}@{hote}{port}/{base['NAME']}"


def url_postgres(base: dict) -> str:
    """The postgres:// URL of a Django DATABASES entry (the inverse of base_de_donnees), for child processes."""
    identite = base["USER"] + (f":{base['PASSWORD']}" if base["PASSWORD"] else "")
    if base["HOST"].startswith("/"):
        return f"postgres://{identite}@/{base['NAME']}?host={base['HOST']}"
    return f"postgres://{identite}@{base['HOST']}:{base['PORT'] or 5432}/{base['NAME']}"
