"""The first worksheet of an XLSX as pieces of a DataFrame of text: the archive checked, the workbook's parts
read, the sheet's rows gathered `lignes` at a time, every bound checked before a piece is handed on."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from pacte.lecture import fichier
from pacte.lecture.fichier import CONTROLES, ErreurLecture, _erreur_controles, _mo, _verifier_largeur
from pacte.lecture.xlsx import commun
from pacte.lecture.xlsx.archive import verifier_archive, verifier_defusedxml
from pacte.lecture.xlsx.cellules import Cellules, _texte_cellule
from pacte.lecture.xlsx.chaines import chaines_partagees
from pacte.lecture.xlsx.classeur import metadonnees
from pacte.lecture.xlsx.commun import RangeeDemesuree, XmlInterdit
from pacte.lecture.xlsx.rangees import blocs as blocs_feuille


def morceaux_xlsx(contenu: bytes, taille_max: int, ratio_max: int, lignes: int) -> Iterator[pd.DataFrame]:
    verifier_defusedxml()  # openpyxl still reads the small parts (workbook, relations, styles)
    verifier_archive(contenu, taille_max, ratio_max)
    try:
        lecteur = metadonnees(contenu)
        if lecteur.chemin_feuille is None:
            raise IndexError("no worksheet")  # what openpyxl's worksheets[0] raised
        try:
            chaines = chaines_partagees(lecteur.archive, lecteur.chemin_chaines)
            classeur = lecteur.wb
            cellules = Cellules(chaines, classeur._date_formats, classeur._timedelta_formats, classeur.epoch,
                                _texte_cellule)
            etat = {"compteur": 1, "largeur": None}
            blocs = blocs_feuille(lecteur.archive, lecteur.chemin_feuille, cellules, etat)
            yield from _morceaux_feuille(blocs, etat, lignes)
        finally:
            lecteur.archive.close()
    except ErreurLecture:
        raise
    except XmlInterdit:
        raise ErreurLecture(XML_INTERDIT) from None
    except RangeeDemesuree:
        raise ErreurLecture(
            f"Classeur refusé : une rangée de la feuille dépasse {_mo(commun.RANGEE_MAX)} de XML ; "
            "ce n'est pas un fichier au format attendu."
        ) from None
    except Exception as erreur:  # a damaged workbook fails in many ways (KeyError, ParseError, zlib…)
        raise _erreur_classeur(erreur) from None


XML_INTERDIT = "Classeur refusé : il contient du XML interdit (entités ou DTD), possible attaque."


def _erreur_classeur(erreur: Exception) -> ErreurLecture:
    """French message for a workbook that failed to read; openpyxl wraps defusedxml's refusals in a ValueError."""
    cause = erreur
    while cause is not None and not type(cause).__module__.startswith("defusedxml"):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        return ErreurLecture(XML_INTERDIT)
    return ErreurLecture(f"Classeur XLSX illisible ou endommagé ({type(erreur).__name__}).")


def _morceaux_feuille(blocs, etat: dict, lignes: int) -> Iterator[pd.DataFrame]:
    """Rows of the sheet as text, `lignes` at a time; row 1 is the header and empty rows are skipped. `blocs`
    gives (row numbers, texts column by column): first the first row alone, then blocks of etat["largeur"]
    columns. The bounds and the control characters are checked piece by piece, before the piece is handed on."""
    numeros, colonnes = next(blocs, ([], []))
    entete = tuple(colonne[0] for colonne in colonnes) if numeros[:1] == [1] else ()
    while entete and entete[-1] == "":
        entete = entete[:-1]
    if not entete:
        raise ErreurLecture("La première feuille du classeur est vide.")
    _verifier_largeur(list(entete), 0)
    etat["largeur"] = len(entete)
    lues = _Lues(entete, lignes)
    for numeros, colonnes in blocs:
        yield from lues.ajouter(numeros, colonnes)
    yield from lues.finir()


class _Lues:
    """The non-empty rows read so far, handed on in pieces of `lignes`."""

    def __init__(self, entete: tuple[str, ...], lignes: int):
        self.entete, self.largeur, self.lignes = entete, len(entete), lignes
        self.nombre, self.numeros, self.colonnes = 0, [], [[] for _ in entete]
        self.controles = [(1, entete)] if any(CONTROLES.search(t) for t in entete) else []

    def ajouter(self, numeros: list[int], colonnes: list[list[str]]) -> Iterator[pd.DataFrame]:
        colonnes = colonnes[: self.largeur]
        if numeros and all("" in colonne for colonne in colonnes):  # else no row can be empty
            pleines = np.zeros(len(numeros), dtype=bool)
            for colonne in colonnes:
                pleines |= np.asarray(colonne, dtype=object) != ""
            if not pleines.all():
                numeros = np.asarray(numeros)[pleines].tolist()
                colonnes = [np.asarray(colonne, dtype=object)[pleines] for colonne in colonnes]
        debut = 0
        while debut < len(numeros):  # cut at the pieces' boundaries: a piece's errors are its own
            fin = min(len(numeros), debut + self.lignes - len(self.numeros))
            self._garder(numeros[debut:fin], [colonne[debut:fin] for colonne in colonnes])
            debut = fin
            if len(self.numeros) == self.lignes:
                yield self._morceau()

    def _garder(self, numeros, tableaux) -> None:
        lignes_max, cellules_max = fichier.LIGNES_MAX, fichier.CELLULES_MAX  # read at call time: one bound for CSV
        restant = min(lignes_max - self.nombre, cellules_max // self.largeur - self.nombre)  # and XLSX
        if len(numeros) > restant:
            raise ErreurLecture(
                f"Fichier refusé : plus de {lignes_max} lignes de données ou de {cellules_max} cellules (atteint "
                f"ligne {numeros[max(restant, 0)]}) ; retirez les colonnes inutiles ou découpez le fichier."
            )
        self.nombre += len(numeros)
        self.numeros.extend(numeros)
        for colonne, tableau in zip(self.colonnes, tableaux, strict=True):
            # One string per distinct value of the block (SIREN, products and codes repeat on every line): less
            # memory, and a hash computed once per value when the table is validated; all in C.
            colonne.extend(map(dict(zip(tableau, tableau, strict=True)).__getitem__, tableau))
        if any(CONTROLES.search("\n".join(tableau)) for tableau in tableaux):
            for rang, numero in enumerate(numeros):
                texte = tuple(tableau[rang] for tableau in tableaux)
                if CONTROLES.search("\n".join(texte)):
                    self.controles.append((numero, texte))

    def _morceau(self) -> pd.DataFrame:
        morceau = _morceau(self.colonnes, self.numeros, self.entete, self.controles)
        self.numeros, self.colonnes = [], [[] for _ in self.entete]
        return morceau

    def finir(self) -> Iterator[pd.DataFrame]:
        if self.numeros or self.nombre == 0 or self.controles:
            yield self._morceau()


def _morceau(colonnes: list[list[str]], numeros: list[int], entete: tuple[str, ...], controles) -> pd.DataFrame:
    if controles:  # refused before a piece holding one is handed on; the rest of the sheet is not read
        raise _erreur_controles(controles, list(entete))
    tableau = pd.DataFrame(dict(enumerate(colonnes)), columns=range(len(entete)), dtype=str)
    return tableau.set_axis(list(entete), axis=1).set_axis(pd.Index(numeros, name="ligne"), axis=0)
