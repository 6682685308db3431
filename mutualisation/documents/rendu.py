"""HTML → PDF with WeasyPrint: Marianne, tagged PDF/UA-1 (title, ``lang="fr"``), nothing fetched but our static files.

One ``Rendu`` per thread keeps the font configuration and the parsed stylesheet (with its fonts) for every document
it renders: parsing the CSS and loading the fonts once, not once per notice, is what keeps hundreds of notices fast.
"""

import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import cssselect2
from defusedxml import DefusedXmlException, ElementTree
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from pacte.documents_fetcher import BASE_URL, ORIGINE, AccesRefuse, FetcherStatique, fichier_statique  # noqa: F401

# Documents are parsed against BASE_URL (pacte.documents_fetcher): nothing but our static files is ever fetched.
FEUILLE_DE_STYLE = "mutualisation/pdf/documents.css"
OPTIONS_PDF = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
# Rendering processes of a batch: WeasyPrint is pure CPU work, one process per core (at most 8).
PROCESSUS_MAX = 8

# WeasyPrint logs each rendering step at INFO: hundreds of notices would flood the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class Rendu:
    """A stylesheet parsed once, with the fonts its ``@font-face`` rules load (the notices', or the annual report's)."""

    def __init__(self, feuille_de_style: str = FEUILLE_DE_STYLE):
        self.fetcher = FetcherStatique()
        self.polices = FontConfiguration()
        self.css = CSS(string=render_to_string(feuille_de_style), base_url=BASE_URL, url_fetcher=self.fetcher,
                       font_config=self.polices)

    def pdf(self, html: str) -> bytes:
        """The PDF of an HTML page; its ``<title>`` and ``<html lang>`` become the PDF's title and language."""
        document = HtmlBienForme.ou_html(html, self.fetcher)
        return document.write_pdf(stylesheets=[self.css], font_config=self.polices, **OPTIONS_PDF)


class HtmlBienForme(HTML):
    """A page our templates wrote as well-formed XML (void elements closed: ``<br/>``), parsed by expat in C instead
    of WeasyPrint's pure-Python HTML5 parser: ≈ 10 ms less per notice, 8 % of its cost (docs/documents.md § 5).

    WeasyPrint is pinned (70.0); this sets the same attributes as ``HTML.__init__`` from the parsed tree, and a test
    renders a notice through it (tests/mutualisation/test_documents.py)."""

    def __init__(self, racine, url_fetcher):
        self.base_url = BASE_URL
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(racine, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    @classmethod
    def ou_html(cls, html: str, url_fetcher) -> HTML:
        """The page parsed as XML when it is well-formed (no entity declaration: defusedxml), else as HTML."""
        try:
            return cls(ElementTree.fromstring(html), url_fetcher)
        except (ElementTree.ParseError, DefusedXmlException):
            return HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher)


_local = threading.local()


def rendu(feuille_de_style: str = FEUILLE_DE_STYLE) -> Rendu:
    """This thread's renderer for that stylesheet (WeasyPrint's font configuration is not shared between threads);
    the worker's and the web server's processes live on, so each stylesheet is parsed once per thread."""
    if not hasattr(_local, "rendus"):
        _local.rendus = {}
    if feuille_de_style not in _local.rendus:
        _local.rendus[feuille_de_style] = Rendu(feuille_de_style)
    return _local.rendus[feuille_de_style]


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
    """Render (path, HTML) pairs to PDF files, yielding each path and its size once written — in the given order on
    one process, in order of completion on several.

    The HTML is built by the caller, here, in this thread: the pool would consume a lazy iterable in a thread of its
    own, with another database connection. Rendering runs in forked processes that never touch the database, each
    with its own ``Rendu``. The longest documents go first, one at a time: a big organism's notice (up to 1.5 s)
    never ends the batch alone on one core while the others wait."""
    taches = list(taches)
    processus = min(processus or processus_par_defaut(), len(taches))
    if processus <= 1:
        yield from map(_ecrire, taches)
        return
    taches.sort(key=lambda tache: len(tache[1]), reverse=True)
    with _enfants_permis(), multiprocessing.get_context("fork").Pool(processus, _preparer_le_processus) as pool:
        yield from pool.imap_unordered(_ecrire, taches)


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


def _preparer_le_processus() -> None:
    """A rendering process: follows its parent, sets up its ``Rendu``, then freezes the heap it inherited and built
    (Django, WeasyPrint, fonts, stylesheet) so that the garbage collector no longer scans it after each notice:
    ≈ 13 % of a notice's CPU time (docs/documents.md § 5). The process is thrown away at the end of the batch."""
    _suivre_le_parent()
    rendu()
    gc.freeze()


def _suivre_le_parent() -> None:
    """Linux: a rendering process receives SIGTERM when the process that started it dies (PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    except (AttributeError, OSError):
        pass
