"""The annual report's PDF from a stored snapshot: WeasyPrint, tagged PDF/UA-1 with title and ``lang="fr"``, the
charts as inline SVG, and nothing fetched but the application's static files (pacte.documents_fetcher).

Rendering is most of a report's cost (docs/performances.md, « Rapport annuel »). As for the notices, the template is
well-formed XML, parsed by expat rather than WeasyPrint's pure-Python HTML parser, and each thread keeps the parsed
stylesheet and its loaded fonts from one report to the next (the worker's and the web server's processes live on).
"""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from mutualisation.documents.rendu import rendu
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


def source_html(donnees: dict) -> str:
    return render_to_string(GABARIT, contexte(donnees))


def rendre_pdf(donnees: dict) -> bytes:
    """The PDF of a snapshot; its ``<title>`` and ``<html lang>`` become the PDF's title and language."""
    return rendu(FEUILLE_DE_STYLE).pdf(source_html(donnees))
