"""The text of a cell: what the user typed, as openpyxl's value turned into text gives it (_texte_cellule)."""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET  # noqa: S405 - fragments free of DTD and entities only (checked before)
from decimal import Decimal

from openpyxl.cell.text import Text
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._reader import _cast_number

from pacte.lecture.xlsx.commun import NS, _Lent

ENTITES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
# Number texts whose value openpyxl turns back into the same text: an integer (str(int)), or a decimal of at most
# 15 significant digits without exponent, leading or trailing zeros (texte_nombre(float) gives it back, DBL_DIG).
NOMBRE_SUR = re.compile(
    r"0|-?(?:[1-9][0-9]{0,14}|(?=[0-9.]{3,16}$)[1-9][0-9]*\.[0-9]*[1-9]|0\.0{0,20}(?=[0-9]{1,15}$)[1-9](?:[0-9]*[1-9])?)"
)


def _reference(trouve: re.Match) -> str:
    nom, decimal, hexa = trouve.groups()
    if nom:
        return ENTITES[nom]
    code = int(decimal) if decimal else int(hexa, 16)
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF):
        raise _Lent  # expat refuses it: openpyxl's parser will say so
    return chr(code)


def dereferencer(texte: str) -> str:
    return REFERENCE.sub(_reference, texte) if "&" in texte else texte


def _texte_riche(interieur: str, balise: str) -> str:
    """Runs of rich text, as openpyxl joins them (Text.content: the plain text, then each run's, no phonetics)."""
    try:
        noeud = ET.fromstring(f'<{balise} xmlns="{NS}">{interieur}</{balise}>')  # noqa: S314 - no DTD (INHABITUEL)
    except ET.ParseError:
        raise _Lent from None  # not one element (two <is> in a cell…): openpyxl's parser decides
    return Text.from_tree(noeud).content


class Cellules:
    """Turns the groups of CELLULE into the text _texte_cellule gives for openpyxl's value."""

    def __init__(self, chaines: list[str], dates: set[int], durees: set[int], epoque, texte_cellule):
        self.chaines, self.epoque, self.texte_cellule = chaines, epoque, texte_cellule
        self.dates, self.durees = {str(s) for s in dates}, {str(s) for s in durees}

    def texte(self, style: str, type_: str, valeur: str, en_ligne: str, riche: str) -> str:
        if type_ == "inlineStr":  # openpyxl ignores a <v> here
            return _texte_riche(riche, "is") if riche else dereferencer(en_ligne)
        if not valeur:  # no <v>, or an empty one: openpyxl's value is None
            return ""
        if "&" in valeur:
            valeur = dereferencer(valeur)
        if type_ in ("n", ""):
            if style in self.dates:
                return self._date(valeur, style)
            if NOMBRE_SUR.fullmatch(valeur):
                return valeur
            return self.texte_cellule(_cast_number(valeur))
        if type_ == "s":
            return self.chaines[int(valeur)]
        if type_ == "b":
            return "oui" if int(valeur) else "non"
        if type_ == "d":
            return self.texte_cellule(from_ISO8601(valeur))
        return valeur  # str (a formula's text), e (an error such as #DIV/0!), or a type openpyxl keeps as text

    def _date(self, valeur: str, style: str) -> str:
        try:
            return self.texte_cellule(from_excel(_cast_number(valeur), self.epoque, timedelta=style in self.durees))
        except (OverflowError, ValueError):
            return "#VALUE!"  # what openpyxl gives (with a warning) for a serial outside the dates


def _texte_cellule(valeur) -> str:
    """A cell as the text the user typed: 1234 → « 1234 », 0.3 → « 0.3 », a date → « 2013-05-17 »."""
    if valeur is None:
        return ""
    if isinstance(valeur, str):
        return valeur
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, int):
        return str(valeur)
    if isinstance(valeur, float):
        return texte_nombre(valeur)
    if isinstance(valeur, dt.datetime) and valeur.time() == dt.time(0):
        return valeur.date().isoformat()
    if isinstance(valeur, dt.datetime | dt.date | dt.time):
        return valeur.isoformat(sep=" ") if isinstance(valeur, dt.datetime) else valeur.isoformat()
    return str(valeur)


def texte_nombre(nombre: float) -> str:
    """A float from a number cell as decimal text without float artifacts, never in exponent form.

    Excel keeps and shows 15 significant digits; any decimal of at most 15 digits survives the trip through a
    double and back at 15 digits (DBL_DIG), so what the user typed comes back exactly, and a computed
    0.1 + 0.2 stored as 0.30000000000000004 comes back as « 0.3 », as Excel shows it."""
    if not math.isfinite(nombre):
        return str(nombre)
    decimal = Decimal(format(nombre, ".15g"))
    return "0" if decimal == 0 else format(decimal, "f")
