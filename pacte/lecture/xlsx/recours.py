"""The last resort: openpyxl's own row parser (WorkSheetParser, through defusedxml), for every XML the fast paths
leave aside; started again from the top, skipping the rows already handed on."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

from openpyxl.worksheet._reader import WorkSheetParser

from pacte.lecture.xlsx import commun
from pacte.lecture.xlsx.cellules import Cellules
from pacte.lecture.xlsx.commun import Bloc, RangeeDemesuree, _en_colonnes


class _Compteur(io.RawIOBase):
    """A member read by openpyxl's parser, refusing a row of more than RANGEE_MAX bytes (its tree is built whole)."""

    def __init__(self, source):
        self.source, self.depuis_rangee = source, 0

    def readable(self):
        return True

    def read(self, taille=-1):
        octets = self.source.read(taille)
        self.depuis_rangee += len(octets)
        if self.depuis_rangee > commun.RANGEE_MAX:
            raise RangeeDemesuree
        return octets


def _rangees_openpyxl(archive, chemin: str, cellules: Cellules, etat: dict) -> Iterator[tuple[int, list[str]]]:
    """The same rows through openpyxl's parser (defusedxml): every XML the fast path leaves aside."""
    with archive.open(chemin) as source:
        compteur = _Compteur(source)
        analyseur = WorkSheetParser(compteur, cellules.chaines, data_only=True, epoch=cellules.epoque,
                                    date_formats={int(s) for s in cellules.dates},
                                    timedelta_formats={int(s) for s in cellules.durees})
        lues = analyseur.parse()
        while True:
            with warnings.catch_warnings():  # a date serial out of range: « #VALUE! » and a warning
                warnings.simplefilter("ignore")
                suivante = next(lues, None)
            if suivante is None:
                return
            numero, trouvees = suivante
            compteur.depuis_rangee = 0
            if numero < etat["compteur"]:
                continue
            etat["compteur"] = numero + 1
            valeurs = [None] * (trouvees[-1]["column"] if trouvees else 0)
            for cellule in trouvees:
                if cellule["column"] <= len(valeurs):
                    valeurs[cellule["column"] - 1] = cellule["value"]
            yield numero, [cellules.texte_cellule(v) for v in valeurs]


def _blocs_openpyxl(archive, chemin: str, cellules: Cellules, etat: dict) -> Iterator[Bloc]:
    rangees = []
    for rangee in _rangees_openpyxl(archive, chemin, cellules, etat):
        rangees.append(rangee)
        if etat["largeur"] is None or len(rangees) == 1000:
            yield _en_colonnes(rangees, etat["largeur"])
            rangees = []
    if rangees:
        yield _en_colonnes(rangees, etat["largeur"])
