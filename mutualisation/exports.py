"""Result exports of a run: the CSV of formats.md (for machines) and a French-formatted XLSX (for people)."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from mutualisation.models import Calcul

COLONNES = [
    "siren", "raison_sociale", "exonere", "aide_production", "aide_rehabilitation", "aide_restructuration",
    "ajustements", "aide_totale", "part_cotisation_cglls", "part_loyers", "part_patrimoine", "contribution",
    "solde", "sens",
]
MONTANTS = COLONNES[3:13]
INTITULES = [
    "SIREN", "Raison sociale", "Exonéré", "Aide à la production", "Aide à la réhabilitation",
    "Aide à la restructuration", "Ajustements", "Aide totale", "Part cotisation CGLLS", "Part loyers",
    "Part patrimoine", "Contribution", "Solde", "Sens",
]
FORMAT_EUROS = '#,##0.00\\ "€";-#,##0.00\\ "€"'
SENS = {"versement": "Versement", "appel_de_fonds": "Appel de fonds", "nul": "Nul"}


def _lignes(calcul: Calcul):
    return calcul.resultats.select_related("organisme").order_by("organisme_id").iterator(chunk_size=2000)


def export_csv(calcul: Calcul) -> bytes:
    """One line per concerned organism ordered by SIREN; amounts with a dot and two decimals."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\n")
    ecrivain.writerow(COLONNES)
    for r in _lignes(calcul):
        ecrivain.writerow([
            r.organisme_id, neutraliser(r.organisme.raison_sociale), "oui" if r.exonere else "non",
            *(f"{getattr(r, nom):.2f}" for nom in MONTANTS), r.sens,
        ])
    return sortie.getvalue().encode("utf-8")


# What makes a spreadsheet read a cell as a formula (OWASP « CSV injection »), full-width forms included; a name
# cannot be trusted to start with a letter: organism names come from imported files (docs/fichiers-hostiles.md).
DECLENCHEURS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def neutraliser(texte: str) -> str:
    """A text cell that a spreadsheet would read as a formula is prefixed with an apostrophe (CSV/formula injection):
    in a CSV the spreadsheet then shows it as text, in an XLSX openpyxl writes it as a string, never a formula.
    Leading spaces do not hide a trigger (« =1+1 » preceded by spaces). A lone carriage return becomes a line feed:
    the CSV writers end lines with \\n and would leave it unquoted, and a spreadsheet would start a new row there."""
    if "\r" in texte:
        texte = texte.replace("\r\n", "\n").replace("\r", "\n")
    if texte[:1] in DECLENCHEURS or texte.lstrip(" \u00a0")[:1] in DECLENCHEURS:
        return f"'{texte}"
    return texte


def export_xlsx(calcul: Calcul) -> bytes:
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = f"Mutualisation {calcul.campagne.annee}"
    feuille.append(INTITULES)
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for r in _lignes(calcul):
        feuille.append([
            r.organisme_id, neutraliser(r.organisme.raison_sociale), "oui" if r.exonere else "non",
            *(getattr(r, nom) for nom in MONTANTS), SENS[r.sens],
        ])
    for colonne in range(4, 4 + len(MONTANTS)):
        for (cellule,) in feuille.iter_rows(min_row=2, min_col=colonne, max_col=colonne):
            cellule.number_format = FORMAT_EUROS
        feuille.column_dimensions[get_column_letter(colonne)].width = 18
    feuille.column_dimensions["B"].width = 45
    feuille.freeze_panes = "C2"
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
