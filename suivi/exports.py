"""The dashboards' tables: one definition (columns, rows, source) rendered as HTML and exported as CSV or XLSX.

A page builds its ``Tableau`` objects from the selectors; the template shows them, and the same page answers
``?export=<table>&format=csv|xlsx`` with the very same rows. The CSV is for machines (``;``, rates as fractions with
a dot); the XLSX is for people (French number formats, a "Source" sheet with the files and their dates).
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from mutualisation.exports import FORMAT_EUROS, neutraliser
from pacte import formats
from suivi.selectors import Indicateurs

FORMATS_XLSX = {"nombre": "#,##0", "pourcentage": "0.0 %", "euros": FORMAT_EUROS, "annee": "0"}


@dataclass
class Colonne:
    cle: str
    intitule: str
    type: str = "nombre"  # texte, nombre, pourcentage, euros, annee, oui_non
    page: bool = True  # False: in the exports only (the page shows it otherwise, as a badge)


@dataclass
class Tableau:
    cle: str
    titre: str
    colonnes: list[Colonne]
    lignes: list[dict]  # values by column key; "_url" links the first cell, "_badges" adds badges to it
    source: str = ""
    total: dict | None = None
    perimetre: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def colonnes_page(self) -> list[Colonne]:
        return [c for c in self.colonnes if c.page]

    @property
    def rangees(self) -> list[list[dict]]:
        """The cells as the page shows them: French formatting, alignment, the first cell's link and badges."""
        return [self._rangee(ligne) for ligne in self.lignes]

    @property
    def rangee_totale(self) -> list[dict] | None:
        return self._rangee(self.total) if self.total else None

    def _rangee(self, ligne: dict) -> list[dict]:
        cellules = [{"texte": afficher(ligne.get(c.cle), c.type), "nombre": c.type not in ("texte", "annee", "oui_non")}
                    for c in self.colonnes_page]
        cellules[0] |= {"url": ligne.get("_url", ""), "badges": ligne.get("_badges", [])}
        return cellules


def afficher(valeur, type_colonne: str) -> str:
    if type_colonne == "oui_non":
        return "oui" if valeur else "non"
    if valeur is None:
        return "—"
    if type_colonne == "nombre":
        return formats.format_nombre(valeur)
    if type_colonne == "pourcentage":
        return formats.format_pourcentage(valeur, 1)
    if type_colonne == "euros":
        return formats.format_euros(valeur, 0)
    return str(valeur)


# --- The tables -----------------------------------------------------------------------------------------------------

PRODUCTION_PAR_PRODUIT = [
    Colonne("plus", "PLUS"), Colonne("plai", "PLAI"), Colonne("pls", "PLS"),
    Colonne("production_secteur", "Total secteur (hors ANRU)"),
    Colonne("production_hlm", "dont organismes Hlm"), Colonne("part_hlm", "Part Hlm", "pourcentage"),
]
OBJECTIF_PRODUCTION = [
    Colonne("objectif_production", "Objectif Hlm"), Colonne("taux_production", "Taux de réalisation", "pourcentage"),
]
ANRU = [Colonne("anru", "ANRU (à part)"), Colonne("anru_hlm", "dont ANRU Hlm")]
REHABILITATIONS = [
    Colonne("rehabilitations", "Réhabilitations"), Colonne("rehabilitations_hlm", "dont organismes Hlm"),
    Colonne("rehabilitations_eco_pret", "dont éco-prêt"),
]
OBJECTIF_REHABILITATION = [
    Colonne("objectif_rehabilitation", "Objectif Hlm"),
    Colonne("taux_rehabilitation", "Taux de réalisation", "pourcentage"),
]
def tableau_production(par_annee: dict[int, Indicateurs], *, avec_objectif: bool, source: str) -> Tableau:
    colonnes = [Colonne("annee", "Année", "annee"), *PRODUCTION_PAR_PRODUIT,
                *(OBJECTIF_PRODUCTION if avec_objectif else []), *ANRU]
    lignes = [{"annee": annee, **i.valeurs()} for annee, i in par_annee.items()]
    return Tableau("production", "Logements locatifs sociaux agréés, par année et par produit", colonnes, lignes,
                   source=source)


def tableau_rehabilitation(par_annee: dict[int, Indicateurs], *, avec_objectif: bool, source: str) -> Tableau:
    colonnes = [Colonne("annee", "Année", "annee"), *REHABILITATIONS,
                *(OBJECTIF_REHABILITATION if avec_objectif else [])]
    lignes = [{"annee": annee, **i.valeurs()} for annee, i in par_annee.items()]
    return Tableau("rehabilitation", "Réhabilitations thermiques financées, par année", colonnes, lignes,
                   source=source)


def tableau_etiquettes(etiquettes: dict, annee: int, *, source: str) -> Tableau:
    colonnes = [
        Colonne("classe", "Étiquette énergie", "texte"),
        Colonne("avant", "Logements avant travaux"), Colonne("part_avant", "Part avant", "pourcentage"),
        Colonne("apres", "Logements après travaux"), Colonne("part_apres", "Part après", "pourcentage"),
    ]
    total = {"classe": "Total", "avant": etiquettes["total"], "apres": etiquettes["total"],
             "part_avant": Decimal(1) if etiquettes["total"] else None,
             "part_apres": Decimal(1) if etiquettes["total"] else None}
    return Tableau("etiquettes", f"Logements réhabilités en {annee} par étiquette énergie, avant et après travaux",
                   colonnes, etiquettes["classes"], source=source, total=total)


def tableau_mutualisation(mutualisation: dict, annee: int, *, source: str) -> Tableau:
    colonnes = [
        Colonne("nom", "Région du siège", "texte"), Colonne("aides", "Aides", "euros"),
        Colonne("contributions", "Contributions", "euros"), Colonne("soldes", "Solde (aides − contributions)", "euros"),
    ]
    total = {"nom": "Total", **mutualisation["total"]} if mutualisation["total"] else None
    return Tableau("mutualisation", f"Mutualisation financière Hlm {annee}, par région du siège des organismes",
                   colonnes, mutualisation["regions"], source=source, total=total)


def tableau_regions(lignes, annee: int, *, source: str, urls: dict[str, str]) -> Tableau:
    colonnes = [
        Colonne("nom", "Région", "texte"), Colonne("rang", "Rang", "nombre"),
        Colonne("production_secteur", "Agréés (secteur, hors ANRU)"), Colonne("production_hlm", "dont Hlm"),
        Colonne("part_hlm", "Part Hlm", "pourcentage"), Colonne("objectif_production", "Objectif de production"),
        Colonne("taux_production", "Réalisation (production)", "pourcentage"), Colonne("anru", "ANRU (à part)"),
        Colonne("rehabilitations_hlm", "Réhabilitations Hlm"),
        Colonne("objectif_rehabilitation", "Objectif de réhabilitation"),
        Colonne("taux_rehabilitation", "Réalisation (réhabilitation)", "pourcentage"),
        Colonne("prioritaire", "Région prioritaire", "oui_non", page=False),
        Colonne("loin_de_l_objectif", "Loin de l'objectif de production", "oui_non", page=False),
    ]
    rangs = []
    for ligne in lignes:
        rangs.append({
            "nom": ligne.nom, "code": ligne.code, "rang": ligne.rang, **ligne.indicateurs.valeurs(),
            "prioritaire": ligne.prioritaire,
            "_url": urls.get(ligne.code, ""), "_badges": badges_region(ligne),
        })
    return Tableau("regions", f"Les 22 régions métropolitaines classées par taux de réalisation {annee}",
                   colonnes, rangs, source=source)


def badges_region(ligne) -> list[dict]:
    badges = []
    if ligne.prioritaire:
        badges.append({"libelle": "prioritaire", "classe": "fr-badge--info"})
    if ligne.indicateurs.loin_de_l_objectif:
        badges.append({"libelle": "loin de l'objectif", "classe": "fr-badge--error"})
    elif ligne.indicateurs.objectif_production is None:
        badges.append({"libelle": "sans objectif", "classe": ""})
    return badges


def tableau_departements(lignes, annee: int, *, source: str, urls: dict[str, str], parent: str) -> Tableau:
    colonnes = [
        Colonne("nom", "Département", "texte"), *PRODUCTION_PAR_PRODUIT,
        Colonne("part_du_parent", f"Part {parent}", "pourcentage"), *ANRU[:1], *REHABILITATIONS,
    ]
    rangs = [{"nom": f"{ligne.code} – {ligne.nom}", "code": ligne.code, **ligne.indicateurs.valeurs(),
              "part_du_parent": ligne.part_du_parent, "_url": urls.get(ligne.code, "")} for ligne in lignes]
    return Tableau("departements", f"Départements {parent} en {annee}", colonnes, rangs, source=source)


def tableau_organismes(lignes, annee: int, *, source: str, urls: dict[str, str], parent: str) -> Tableau:
    colonnes = [
        Colonne("nom", "Maître d'ouvrage", "texte"), Colonne("siren", "SIREN", "texte"),
        Colonne("famille", "Famille", "texte"), Colonne("hlm", "Organisme Hlm", "oui_non"),
        Colonne("plus", "PLUS"), Colonne("plai", "PLAI"), Colonne("pls", "PLS"),
        Colonne("production_secteur", "Total (hors ANRU)"), Colonne("part_du_parent", f"Part {parent}", "pourcentage"),
        *ANRU[:1], *REHABILITATIONS[::2],
    ]
    rangs = [{"nom": ligne.nom, "siren": ligne.code, "famille": ligne.famille, "hlm": ligne.hlm,
              **ligne.indicateurs.valeurs(), "part_du_parent": ligne.part_du_parent, "_url": urls.get(ligne.code, "")}
             for ligne in lignes]
    return Tableau("organismes", f"Maîtres d'ouvrage en {annee}", colonnes, rangs, source=source)


# --- CSV and XLSX ----------------------------------------------------------------------------------------------------


def _csv_valeur(valeur, type_colonne: str) -> str:
    if type_colonne == "oui_non":
        return "oui" if valeur else "non"
    if valeur is None:
        return ""
    if isinstance(valeur, Decimal):
        return f"{valeur:.4f}" if type_colonne == "pourcentage" else f"{valeur:.2f}"
    return neutraliser(str(valeur)) if type_colonne == "texte" else str(valeur)


def export_csv(tableau: Tableau) -> bytes:
    """Column keys as header, one line per row then the total line; rates as fractions (0.8765)."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\n")
    ecrivain.writerow([c.cle for c in tableau.colonnes])
    for ligne in [*tableau.lignes, *([tableau.total] if tableau.total else [])]:
        ecrivain.writerow([_csv_valeur(ligne.get(c.cle), c.type) for c in tableau.colonnes])
    return sortie.getvalue().encode("utf-8")


def _xlsx_valeur(valeur, type_colonne: str):
    if type_colonne == "oui_non":
        return "oui" if valeur else "non"
    if type_colonne == "texte" and valeur is not None:
        return neutraliser(str(valeur))
    return valeur


def export_xlsx(tableau: Tableau) -> bytes:
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = tableau.cle.capitalize()
    feuille.append([c.intitule for c in tableau.colonnes])
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for ligne in tableau.lignes:
        feuille.append([_xlsx_valeur(ligne.get(c.cle), c.type) for c in tableau.colonnes])
    if tableau.total:
        feuille.append([_xlsx_valeur(tableau.total.get(c.cle), c.type) for c in tableau.colonnes])
        for cellule in feuille[feuille.max_row]:
            cellule.font = Font(bold=True)
    for numero, colonne in enumerate(tableau.colonnes, start=1):
        lettre = get_column_letter(numero)
        feuille.column_dimensions[lettre].width = 40 if colonne.type == "texte" and numero == 1 else 16
        if colonne.type in FORMATS_XLSX:
            for (cellule,) in feuille.iter_rows(min_row=2, min_col=numero, max_col=numero):
                cellule.number_format = FORMATS_XLSX[colonne.type]
    feuille.freeze_panes = "B2"
    _feuille_source(classeur, tableau)
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def _feuille_source(classeur: Workbook, tableau: Tableau) -> None:
    feuille = classeur.create_sheet("Source")
    for intitule, valeur in [("Tableau", tableau.titre), ("Périmètre", tableau.perimetre),
                             ("Source", tableau.source), *(("Note", note) for note in tableau.notes),
                             ("Exporté le", formats.format_date(timezone.localdate()))]:
        feuille.append([intitule, neutraliser(valeur)])
        feuille.cell(feuille.max_row, 1).font = Font(bold=True)
    feuille.column_dimensions["A"].width = 14
    feuille.column_dimensions["B"].width = 120


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", export_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export_xlsx),
}
