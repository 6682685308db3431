"""What the parts of the XLSX reader share: the bounds of a read, the XML patterns, the refusals, the blocks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import product
from string import ascii_uppercase

from openpyxl.xml.constants import SHEET_MAIN_NS

BLOC = 1024 * 1024  # inflated bytes read at a time
# Bytes of one row's XML: 256 columns of long texts stay far below. The other modules read it here at call time
# (commun.RANGEE_MAX), so that one bound holds for every path.
RANGEE_MAX = 16 * 1024 * 1024
NS = SHEET_MAIN_NS

# One cell of the usual shape. Groups: column letters ("" without r), style, type, <v> text, simple inline text,
# inner XML of another inline string (rich text runs). An <f> (formula) is skipped: the cached <v> is the value.
_CELLULE = (
    r'<c(?: r="([A-Z]{1,3})[0-9]+")?(?: s="(0|[1-9][0-9]*)")?(?: t="([a-zA-Z]+)")?'
    r'(?: (?![rst]=)[\w:.-]+="[^"<>]*")* ?'
    r'(?:/>|>(?:<f(?: [^<>]*)?(?:/>|>[^<]*</f>))?(?:<v>([^<]*)</v>)?'
    r'(?:<is><t(?: xml:space="preserve")?>([^<]*)</t></is>|<is>((?:(?!</is>).)*)</is>)?</c>)'
)
CELLULE = re.compile(_CELLULE, re.S)
# A whole row, its cells checked by the same pattern without groups: the row matches only if every cell does.
RANGEE = re.compile(
    r'\s*<row r="([0-9]+)"(?: (?!r=)[\w:.-]+="[^"<>]*")* ?(?:/>|>((?:\s*' + re.sub(r"\((?!\?)", "(?:", _CELLULE)
    + r")*)\s*</row>)",
    re.S,
)
# What the fast path does not read (the whole sheet then goes to openpyxl's parser): comments, CDATA, DOCTYPE,
# processing instructions, namespace declarations and prefixed elements, characters XML forbids, `]]>`.
INHABITUEL = re.compile(r"<[!?]|xmlns|</?[\w.-]+:|]]>|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# An ampersand that does not start one of the five predefined entities or a character reference.
ESPERLUETTE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
INTERDIT = re.compile(rb"<!DOCTYPE|<!ENTITY")


Bloc = tuple[list[int], list[list[str]]]  # row numbers, and the texts of the rows column by column


class XmlInterdit(ValueError):
    """A DOCTYPE or entity declaration in a part read here (its module name is not defusedxml's: see morceaux)."""


class RangeeDemesuree(ValueError):
    pass


class _Lent(Exception):
    """The fast path met something it does not read: start again with openpyxl's parser."""


@cache
def colonnes() -> dict[str, int]:
    """Column letters A … ZZZ (what openpyxl accepts) to their number."""
    lettres = ("".join(p) for n in (1, 2, 3) for p in product(ascii_uppercase, repeat=n))  # A … Z, AA … ZZZ
    return {colonne: numero for numero, colonne in enumerate(lettres, start=1)}


def _blocs(source) -> Iterator[bytes]:
    while bloc := source.read(BLOC):
        yield bloc


def _verifier_interdit(octets: bytes) -> None:
    if INTERDIT.search(octets):
        raise XmlInterdit


def _en_colonnes(rangees: list[tuple[int, list[str]]], largeur: int | None) -> Bloc:
    """Rows (number, texts) as a block of `largeur` columns (the widest row's when None)."""
    if largeur is None:
        largeur = max((len(textes) for _, textes in rangees), default=0)
    lignes = [(textes + [""] * largeur)[:largeur] for _, textes in rangees]
    return [n for n, _ in rangees], [list(colonne) for colonne in zip(*lignes, strict=True)] or [[]] * largeur
