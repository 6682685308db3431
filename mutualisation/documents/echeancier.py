"""The payment and call-for-funds schedule for the CDC, which carries the money flows: who receives or pays how much,
by when, under which reference. One line per organism with a non-zero balance, ordered by SIREN."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from mutualisation.documents.avis import DELAI_REGLEMENT, reference
from mutualisation.enums import Sens
from mutualisation.exports import FORMAT_EUROS, neutraliser
from mutualisation.models import Calcul

COLONNES = ["reference", "siren", "raison_sociale", "code_region", "region", "sens", "montant", "date_echeance"]
INTITULES = ["Référence", "SIREN", "Raison sociale", "Code région", "Région", "Sens", "Montant",
             "Date d'échéance"]
LIBELLES_SENS = {Sens.VERSEMENT: "Versement à l'organisme", Sens.APPEL_DE_FONDS: "Appel de fonds"}


@dataclass(frozen=True)
class LigneEcheancier:
    reference: str
    siren: str
    raison_sociale: str
    code_region: str
    region: str
    sens: str
    montant: Decimal
    date_echeance: date


def lignes_echeancier(calcul: Calcul, *, date_emission: date) -> list[LigneEcheancier]:
    """Each flow of the run: the balance's absolute value, paid or called 30 days after the notices are issued."""
    annee, echeance = calcul.campagne.annee, date_emission + DELAI_REGLEMENT
    resultats = (
        calcul.resultats.exclude(sens=Sens.NUL).order_by("organisme_id")
        .values_list("organisme_id", "organisme__raison_sociale", "organisme__region_id", "organisme__region__nom",
                     "sens", "solde")
    )
    return [
        LigneEcheancier(reference(annee, siren), siren, nom, code_region, region, sens, abs(solde), echeance)
        for siren, nom, code_region, region, sens, solde in resultats
    ]


def totaux_echeancier(lignes: list[LigneEcheancier]) -> dict:
    versements = [ligne.montant for ligne in lignes if ligne.sens == Sens.VERSEMENT]
    appels = [ligne.montant for ligne in lignes if ligne.sens == Sens.APPEL_DE_FONDS]
    return {"nb_versements": len(versements), "versements": sum(versements, Decimal("0.00")),
            "nb_appels": len(appels), "appels": sum(appels, Decimal("0.00"))}


def echeancier_csv(lignes: list[LigneEcheancier]) -> bytes:
    """`;`-separated UTF-8, amounts with a dot and two decimals, ISO dates; names neutralised (opened in Excel)."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\n")
    ecrivain.writerow(COLONNES)
    for ligne in lignes:
        ecrivain.writerow([ligne.reference, ligne.siren, neutraliser(ligne.raison_sociale), ligne.code_region,
                           ligne.region, ligne.sens, f"{ligne.montant:.2f}", ligne.date_echeance.isoformat()])
    return sortie.getvalue().encode("utf-8")


def echeancier_xlsx(lignes: list[LigneEcheancier], *, annee: int) -> bytes:
    """For people: French € and date formats, and a sheet of totals."""
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = f"Échéancier {annee}"
    feuille.append(INTITULES)
    for ligne in lignes:
        feuille.append([ligne.reference, ligne.siren, neutraliser(ligne.raison_sociale), ligne.code_region,
                        ligne.region, LIBELLES_SENS[ligne.sens], ligne.montant, ligne.date_echeance])
    for (montant, echeance) in feuille.iter_rows(min_row=2, min_col=7, max_col=8):
        montant.number_format, echeance.number_format = FORMAT_EUROS, "DD/MM/YYYY"
    for colonne, largeur in zip("ABCDEFGH", (18, 12, 45, 12, 28, 24, 18, 16), strict=True):
        feuille.column_dimensions[colonne].width = largeur
    feuille.freeze_panes = "C2"
    _totaux(classeur.create_sheet("Totaux"), totaux_echeancier(lignes))
    for cellule in (*feuille[1], *classeur["Totaux"][1]):
        cellule.font = Font(bold=True)
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def _totaux(feuille, totaux: dict) -> None:
    feuille.append(["Flux", "Nombre d'organismes", "Montant"])
    feuille.append(["Versements aux organismes", totaux["nb_versements"], totaux["versements"]])
    feuille.append(["Appels de fonds", totaux["nb_appels"], totaux["appels"]])
    for (cellule,) in feuille.iter_rows(min_row=2, min_col=3, max_col=3):
        cellule.number_format = FORMAT_EUROS
    feuille.column_dimensions["A"].width, feuille.column_dimensions["C"].width = 30, 20
