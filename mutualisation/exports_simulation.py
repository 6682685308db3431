"""Exports of a simulation's comparison with the reference run: CSV (dot decimals, for machines) and XLSX (French
number format, one sheet per organism and one per region, for people)."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from mutualisation.exports import FORMAT_EUROS, neutraliser
from mutualisation.simulation import MONTANTS, Comparaison

COLONNES_CSV = [
    "siren", "raison_sociale", "region", "exonere",
    *(f"{nom}_{version}" for nom in MONTANTS for version in ("reference", "simulation", "ecart")),
]
LIBELLES = {"aide_totale": "Aide totale", "contribution": "Contribution", "solde": "Solde"}
INTITULES_MONTANTS = [f"{LIBELLES[nom]} {version}" for nom in MONTANTS
                      for version in ("référence", "simulation", "écart")]


def _montants(element) -> list:
    return [valeur for nom in MONTANTS for valeur in
            (getattr(element, nom).reference, getattr(element, nom).simulation, getattr(element, nom).delta)]


def export_csv(comparaison: Comparaison) -> bytes:
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\n")
    ecrivain.writerow(COLONNES_CSV)
    for ligne in comparaison.lignes:
        ecrivain.writerow([ligne.siren, neutraliser(ligne.raison_sociale), ligne.region_code,
                           "oui" if ligne.exonere else "non",
                           *(f"{montant:.2f}" for montant in _montants(ligne))])
    return sortie.getvalue().encode("utf-8")


def _feuille(feuille, intitules: list[str], lignes: list[list], premiere_colonne_montant: int) -> None:
    feuille.append(intitules)
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for ligne in lignes:
        feuille.append(ligne)
    for colonne in range(premiere_colonne_montant, len(intitules) + 1):
        for (cellule,) in feuille.iter_rows(min_row=2, min_col=colonne, max_col=colonne):
            cellule.number_format = FORMAT_EUROS
        feuille.column_dimensions[get_column_letter(colonne)].width = 18
    feuille.freeze_panes = feuille.cell(row=2, column=premiere_colonne_montant)


def export_xlsx(comparaison: Comparaison, *, titre: str) -> bytes:
    classeur = Workbook()
    organismes = classeur.active
    organismes.title = "Organismes"
    _feuille(organismes, ["SIREN", "Raison sociale", "Région", "Exonéré", *INTITULES_MONTANTS], [
        [ligne.siren, neutraliser(ligne.raison_sociale), neutraliser(ligne.region_nom),
         "oui" if ligne.exonere else "non", *_montants(ligne)]
        for ligne in comparaison.lignes
    ], 5)
    organismes.column_dimensions["B"].width = 45
    organismes.column_dimensions["C"].width = 28
    regions = classeur.create_sheet("Régions")
    _feuille(regions, ["Code", "Région", "Organismes", "Organismes modifiés", *INTITULES_MONTANTS], [
        *([region.code, neutraliser(region.nom), region.nb_organismes, region.nb_modifies, *_montants(region)]
          for region in comparaison.regions),
        ["", "Total", comparaison.total.nb_organismes, comparaison.total.nb_modifies, *_montants(comparaison.total)],
    ], 5)
    regions.column_dimensions["B"].width = 32
    regions.cell(row=regions.max_row, column=2).font = Font(bold=True)
    classeur.properties.title = titre
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
