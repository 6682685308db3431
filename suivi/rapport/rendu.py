"""The annual report's PDF from a stored snapshot: WeasyPrint, tagged PDF/UA-1 with title and ``lang="fr"``, the
charts as inline SVG, and nothing fetched but the application's static files (pacte.documents_fetcher).

Rendering is most of a report's cost (docs/performances.md, « Rapport annuel »). As for the notices, the template is
well-formed XML, parsed by expat rather than WeasyPrint's pure-Python HTML parser, and each thread keeps the parsed
stylesheet and its loaded fonts from one report to the next (the worker's and the web server's processes live on).
"""

import threading

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration

from mutualisation.documents.rendu import OPTIONS_PDF, HtmlBienForme
from pacte.documents_fetcher import BASE_URL, FetcherStatique
from suivi.rapport import graphiques

GABARIT = "suivi/rapport/rapport.html"
FEUILLE_DE_STYLE = "suivi/rapport/rapport.css"
DESTINATAIRES = (
    "Monsieur le Premier ministre",
    "Madame la ministre de l'Égalité des territoires et du Logement",
    "Mesdames et Messieurs les membres du Parlement",
)


def titre(annee: int) -> str:
    return f"Rapport annuel {annee} du comité de suivi national du pacte d'objectifs et de moyens État – USH"


def _graphiques(donnees: dict) -> dict:
    production, annee = donnees["production"], donnees["annee"]
    metropole = [r for r in production["par_region"] if r["metropole"]]
    return {
        "evolution": graphiques.colonnes_annees(
            production["evolution"], f"Logements locatifs sociaux financés de 2013 à {annee} et objectif Hlm"),
        "produits": graphiques.barre_produits(
            production["par_produit"], f"Répartition par produit des logements financés en {annee}"),
        "regions": graphiques.barres_regions(
            metropole, f"Logements locatifs sociaux financés en {annee} par région et objectif Hlm"),
        "etiquettes": graphiques.etiquettes_energie(
            production["rehabilitations"]["etiquettes"],
            f"Logements réhabilités en {annee} par étiquette énergétique, avant et après travaux"),
    }


def contexte(donnees: dict) -> dict:
    return {
        "d": donnees,
        "titre": titre(donnees["annee"]),
        "destinataires": DESTINATAIRES,
        "graphiques": {nom: mark_safe(svg) for nom, svg in _graphiques(donnees).items()},  # noqa: S308 - built by us, texts escaped
    }


class _Feuille:
    """The report's stylesheet, parsed once, and the fonts its ``@font-face`` rules load."""

    def __init__(self):
        self.fetcher = FetcherStatique()
        self.polices = FontConfiguration()
        self.css = CSS(string=render_to_string(FEUILLE_DE_STYLE), base_url=BASE_URL, url_fetcher=self.fetcher,
                       font_config=self.polices)


_local = threading.local()


def _feuille() -> _Feuille:
    """This thread's stylesheet (WeasyPrint's font configuration is not shared between threads)."""
    if not hasattr(_local, "feuille"):
        _local.feuille = _Feuille()
    return _local.feuille


def source_html(donnees: dict) -> str:
    return render_to_string(GABARIT, contexte(donnees))


def rendre_pdf(donnees: dict) -> bytes:
    """The PDF of a snapshot; its ``<title>`` and ``<html lang>`` become the PDF's title and language."""
    feuille = _feuille()
    document = HtmlBienForme.ou_html(source_html(donnees), feuille.fetcher)
    return document.write_pdf(stylesheets=[feuille.css], font_config=feuille.polices, **OPTIONS_PDF)
