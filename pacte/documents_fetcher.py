"""The one URL fetcher of every PDF WeasyPrint renders (notices, schedule, bilan, annual report, decision letters).

Documents are parsed against ``BASE_URL``, a host that does not exist (``.invalid``, RFC 2606): ``{% static %}`` URLs
resolve under it, and the fetcher serves them from the application's static files. Everything else is refused
without any network or file-system access: other hosts and schemes (http, https, ftp, file, data), paths outside
``STATIC_URL``, ``..`` in any spelling, and a static file whose real path (symbolic links followed) leaves the static
folders. A refusal is an exception WeasyPrint turns into a warning: the image is missing, the PDF is still produced.
Texts from users (organism names) are escaped by the templates anyway; this is the second wall (docs/securite.md).
"""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint.urls import URLFetcher, URLFetcherResponse

ORIGINE = "https://statique.pacte.invalid"
BASE_URL = f"{ORIGINE}/"


class AccesRefuse(ValueError):
    """A document asked for a resource that is not one of the application's static files."""


def _dossiers_statiques() -> list[Path]:
    """The folders the static finders serve from (STATICFILES_DIRS and each app's static/), symbolic links resolved."""
    dossiers = []
    for finder in finders.get_finders():
        for stockage in getattr(finder, "storages", {}).values():
            if getattr(stockage, "location", None):
                dossiers.append(Path(stockage.location).resolve())
    return dossiers


def fichier_statique(url: str) -> Path:
    """The static file an URL of the document names, or AccesRefuse (other hosts, schemes, paths, traversal)."""
    morceaux = urlsplit(url)
    prefixe = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
    if f"{morceaux.scheme}://{morceaux.netloc}" != ORIGINE or not morceaux.path.startswith(prefixe):
        raise AccesRefuse(f"Ressource refusée (hors fichiers statiques de l'application) : {url[:200]}")
    relatif = unquote(morceaux.path.removeprefix(prefixe))
    try:
        chemin = finders.find(relatif) if ".." not in Path(relatif).parts and "\x00" not in relatif else None
    except SuspiciousFileOperation:
        chemin = None
    if not chemin or not Path(chemin).is_file():
        raise AccesRefuse(f"Fichier statique introuvable : {url[:200]}")
    reel = Path(chemin).resolve()
    if not any(reel.is_relative_to(dossier) for dossier in _dossiers_statiques()):
        raise AccesRefuse(f"Fichier statique hors des dossiers statiques : {url[:200]}")
    return reel


class FetcherStatique(URLFetcher):
    """WeasyPrint's fetcher, restricted to the application's static files (no network, no file system)."""

    def fetch(self, url, headers=None):
        chemin = fichier_statique(url)
        type_mime = mimetypes.guess_type(chemin.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, chemin.read_bytes(), {"Content-Type": type_mime})
