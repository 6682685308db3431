"""Applications of a call as CSV (for machines: dot decimals) and French-formatted XLSX (for people)."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from mutualisation.exports import FORMAT_EUROS, neutraliser

COLONNES = ["numero", "siren", "organisme", "intitule", "statut", "date_depot", "montant_demande", "montant_accorde"]
INTITULES = ["Numéro", "SIREN", "Organisme", "Intitulé", "Statut", "Date de dépôt", "Montant demandé",
             "Montant accordé"]


def _lignes(candidatures):
    for c in candidatures.select_related("appel", "organisme").order_by("id"):
        yield [c.numero, c.organisme_id, c.organisme.raison_sociale, c.intitule, c.get_statut_display(),
               c.date_depot, c.montant_demande, c.montant_accorde]


def export_csv(candidatures) -> bytes:
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\n")
    ecrivain.writerow(COLONNES)
    for ligne in _lignes(candidatures):
        *textes, depot, demande, accorde = ligne
        ecrivain.writerow([*(neutraliser(t) for t in textes), depot.isoformat(), f"{demande:.2f}",
                           "" if accorde is None else f"{accorde:.2f}"])
    return sortie.getvalue().encode("utf-8")


def export_xlsx(appel, candidatures) -> bytes:
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = f"Appel {appel.annee}"[:31]
    feuille.append(INTITULES)
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for ligne in _lignes(candidatures):
        *textes, depot, demande, accorde = ligne
        feuille.append([*(neutraliser(t) for t in textes), depot, demande, accorde])
        feuille.cell(row=feuille.max_row, column=6).number_format = "DD/MM/YYYY"
        for colonne in (7, 8):
            feuille.cell(row=feuille.max_row, column=colonne).number_format = FORMAT_EUROS
    for lettre, largeur in {"B": 12, "C": 40, "D": 50, "E": 16, "F": 14, "G": 18, "H": 18}.items():
        feuille.column_dimensions[lettre].width = largeur
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
