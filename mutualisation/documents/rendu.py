"""HTML → PDF with WeasyPrint: Marianne, tagged PDF/UA-1 (title, ``lang="fr"``), nothing fetched but our static files.

One ``Rendu`` per thread keeps the font configuration and the parsed stylesheet (with its fonts) for every document
it renders: parsing the CSS and loading the fonts once, not once per notice, is what keeps hundreds of notices fast.
"""

import ctypes
import logging
import mimetypes
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Documents are parsed against this base: `{% static %}` URLs resolve under it, and nothing else is ever fetched.
ORIGINE = "https://statique.pacte.invalid"
BASE_URL = f"{ORIGINE}/"
FEUILLE_DE_STYLE = "mutualisation/pdf/documents.css"
OPTIONS_PDF = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
# Rendering processes of a batch: WeasyPrint is pure CPU work, one process per core (at most 8).
PROCESSUS_MAX = 8

# WeasyPrint logs each rendering step at INFO: hundreds of notices would flood the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class AccesRefuse(ValueError):
    """A document asked for a resource that is not one of the application's static files."""


def fichier_statique(url: str) -> Path:
    """The static file an URL of the document names, or AccesRefuse (other hosts, schemes, paths, traversal)."""
    morceaux = urlsplit(url)
    prefixe = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
    if f"{morceaux.scheme}://{morceaux.netloc}" != ORIGINE or not morceaux.path.startswith(prefixe):
        raise AccesRefuse(f"Ressource refusée (hors fichiers statiques de l'application) : {url}")
    relatif = unquote(morceaux.path.removeprefix(prefixe))
    try:
        chemin = finders.find(relatif) if ".." not in Path(relatif).parts else None
    except SuspiciousFileOperation:
        chemin = None
    if not chemin or not Path(chemin).is_file():
        raise AccesRefuse(f"Fichier statique introuvable : {url}")
    return Path(chemin)


class FetcherStatique(URLFetcher):
    """WeasyPrint's fetcher, restricted to the application's static files (no network, no file system)."""

    def fetch(self, url, headers=None):
        chemin = fichier_statique(url)
        type_mime = mimetypes.guess_type(chemin.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, chemin.read_bytes(), {"Content-Type": type_mime})


class Rendu:
    def __init__(self):
        self.fetcher = FetcherStatique()
        self.polices = FontConfiguration()
        self.css = CSS(string=render_to_string(FEUILLE_DE_STYLE), base_url=BASE_URL, url_fetcher=self.fetcher,
                       font_config=self.polices)

    def pdf(self, html: str) -> bytes:
        """The PDF of an HTML page; its ``<title>`` and ``<html lang>`` become the PDF's title and language."""
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=self.fetcher)
        return document.write_pdf(stylesheets=[self.css], font_config=self.polices, **OPTIONS_PDF)


_local = threading.local()


def rendu() -> Rendu:
    """This thread's renderer (WeasyPrint's font configuration is not shared between threads)."""
    if not hasattr(_local, "rendu"):
        _local.rendu = Rendu()
    return _local.rendu


def pdf(gabarit: str, contexte: dict) -> bytes:
    return rendu().pdf(render_to_string(gabarit, contexte))


def _ecrire(tache: tuple[Path, str]) -> tuple[Path, int]:
    chemin, html = tache
    contenu = rendu().pdf(html)
    chemin.write_bytes(contenu)
    return chemin, len(contenu)


def processus_par_defaut() -> int:
    return max(1, min(PROCESSUS_MAX, len(os.sched_getaffinity(0))))


def ecrire_pdfs(taches: Iterable[tuple[Path, str]], *, processus: int | None = None) -> Iterator[tuple[Path, int]]:
    """Render (path, HTML) pairs to PDF files, in order, yielding each path and its size once written.

    The HTML is built by the caller, here, in this thread: the pool would consume a lazy iterable in a thread of its
    own, with another database connection. Rendering runs in forked processes that never touch the database, each
    with its own ``Rendu``."""
    taches = list(taches)
    processus = min(processus or processus_par_defaut(), len(taches))
    if processus <= 1:
        yield from map(_ecrire, taches)
        return
    with _enfants_permis(), multiprocessing.get_context("fork").Pool(processus, _suivre_le_parent) as pool:
        yield from pool.imap(_ecrire, taches, chunksize=4)


@contextmanager
def _enfants_permis():
    """A Celery prefork worker runs each task in a daemonic process, and multiprocessing refuses children to a daemon.
    The flag is lifted while the rendering pool lives: its processes are terminated when the pool closes, and by the
    kernel if this process is killed first (_suivre_le_parent)."""
    courant = multiprocessing.current_process()
    demon = courant._config.get("daemon", False)
    courant._config["daemon"] = False
    try:
        yield
    finally:
        courant._config["daemon"] = demon


def _suivre_le_parent() -> None:
    """Linux: a rendering process receives SIGTERM when the process that started it dies (PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    except (AttributeError, OSError):
        pass
