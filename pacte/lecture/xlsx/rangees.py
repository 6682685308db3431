"""The sheet's rows: cut in pieces after their last </row>, each read by shapes or row by row, and handed to
openpyxl's parser (recours) for anything else."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from defusedxml.ElementTree import fromstring as fromstring_sur

from pacte.lecture.xlsx import commun
from pacte.lecture.xlsx.cellules import Cellules
from pacte.lecture.xlsx.commun import (
    CELLULE,
    ESPERLUETTE,
    INHABITUEL,
    NS,
    RANGEE,
    Bloc,
    RangeeDemesuree,
    _blocs,
    _en_colonnes,
    _Lent,
    _verifier_interdit,
    colonnes,
)
from pacte.lecture.xlsx.gabarits import _bloc_par_gabarits
from pacte.lecture.xlsx.recours import _blocs_openpyxl


def blocs(archive, chemin: str, cellules: Cellules, etat: dict) -> Iterator[Bloc]:
    """The rows of the sheet openpyxl's read-only iter_rows would hand on (rows out of order skipped), as blocks
    (row numbers, texts column by column). The first block is the first row alone, all its cells; once the caller
    has set etat["largeur"] (the header's width), every block has that many columns."""
    try:
        yield from _rangees_rapides(archive, chemin, cellules, etat)
        return
    except (_Lent, UnicodeDecodeError):
        pass
    yield from _blocs_openpyxl(archive, chemin, cellules, etat)


def _rangees_rapides(archive, chemin: str, cellules: Cellules, etat: dict) -> Iterator[Bloc]:
    """The sheet's rows as blocks, fast; raises _Lent when it cannot."""
    with archive.open(chemin) as source:
        blocs = _blocs(source)
        tampon, debut = b"", None
        for bloc in blocs:  # the prologue: up to <sheetData>
            tampon += bloc
            _verifier_interdit(tampon)
            if (debut := re.search(rb"<sheetData\s*(/?)>", tampon)) or len(tampon) > commun.RANGEE_MAX:
                break
        if not debut or debut.group(1):
            raise _Lent  # no rows, or no sheetData: rare enough for the slow path
        prologue = tampon[: debut.end()]
        _verifier_prologue(prologue)
        tampon = tampon[debut.end():]
        while True:
            bloc = next(blocs, None)
            tampon += bloc or b""
            coupe = tampon.rfind(b"</row>") + 6
            if coupe >= 6:
                morceau, tampon = tampon[:coupe], tampon[coupe:]
                if etat["largeur"] is None:  # the header: its width is the table's
                    premiere = morceau.find(b"</row>") + 6
                    yield _en_colonnes(list(_lire_morceau(morceau[:premiere], cellules, etat)), None)
                    morceau = morceau[premiere:]
                yield _lire_bloc(morceau, cellules, etat)
            if len(tampon) > commun.RANGEE_MAX:
                raise RangeeDemesuree
            if bloc is None:
                break
        _verifier_fin(prologue, tampon)


def _lire_bloc(octets: bytes, cellules: Cellules, etat: dict) -> Bloc:
    bloc = _bloc_par_gabarits(octets, cellules, etat)
    if bloc is None:
        compteur = etat["compteur"]
        try:
            bloc = _en_colonnes(list(_lire_morceau(octets, cellules, etat)), etat["largeur"])
        except _Lent:
            etat["compteur"] = compteur  # none of the piece's rows was handed on: openpyxl reads them all
            raise
    return bloc


def _verifier_prologue(prologue: bytes) -> None:
    """The fast path reads UTF-8 sheets whose root is the main namespace's worksheet and no row before sheetData."""
    declaration = re.match(rb'(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=["\']([^"\']*)', prologue)
    if declaration and declaration.group(1).lower() not in (b"utf-8", b"utf8"):
        raise _Lent
    if not re.match(rb'(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>)?\s*<worksheet [^>]*xmlns="' + NS.encode() + b'"',
                    prologue) or re.search(rb"<row[\s/>]|<[\w.-]+:row[\s/>]", prologue):
        raise _Lent


def _verifier_fin(prologue: bytes, fin: bytes) -> None:
    """The end of the sheet: closes sheetData, holds no other row, and with the prologue makes a well-formed
    document (a truncated sheet fails here, as openpyxl's parser fails at its end)."""
    _verifier_interdit(fin)
    if len(fin) > commun.RANGEE_MAX or not re.match(rb"\s*</sheetData>", fin):
        raise _Lent
    racine = fromstring_sur(prologue + fin, forbid_dtd=True)
    if any(True for _ in racine.iter(f"{{{NS}}}row")):
        raise _Lent


def _lire_morceau(octets: bytes, cellules: Cellules, etat: dict) -> Iterator[tuple[int, list[str]]]:
    """(row number, texts of its cells up to the last one) for each row of a piece of the sheet, one by one."""
    texte, lettres = octets.decode("utf-8"), colonnes()
    if INHABITUEL.search(texte) or ESPERLUETTE.search(texte):
        raise _Lent
    if "\r" in texte:  # XML line-end normalisation
        texte = texte.replace("\r\n", "\n").replace("\r", "\n")
    position, compteur, convertir = 0, etat["compteur"], cellules.texte
    for rangee in RANGEE.finditer(texte):
        if rangee.start() != position:
            raise _Lent
        position = rangee.end()
        numero = int(rangee.group(1))
        if numero < compteur:
            raise _Lent  # a row out of order: openpyxl skips it, after reading its cells
        trouvees = CELLULE.findall(texte, rangee.start(2), rangee.end(2)) if rangee.group(2) else ()
        textes = [convertir(s, t, v, e, r) for _, s, t, v, e, r in trouvees]
        if textes and next(zip(*trouvees, strict=True)) != ORDRE[len(textes)]:
            textes = _placer(trouvees, textes, lettres)
        compteur = etat["compteur"] = numero + 1
        yield numero, textes
    if texte[position:].strip():
        raise _Lent


class _Ordre(dict):
    """n → the letters of a row's n first columns, in order: the usual row, whose cells need no placing."""

    def __missing__(self, n):
        self[n] = tuple(islice(colonnes(), n))
        return self[n]


ORDRE = _Ordre()


def _placer(trouvees, textes: list[str], lettres) -> list[str]:
    """Cells by column, as openpyxl places them: a cell without r follows the previous one, the last cell's
    column is the row's width (cells beyond it are dropped), a later cell overwrites an earlier one."""
    numeros, precedent = [], 0
    for cellule in trouvees:
        precedent = lettres[cellule[0]] if cellule[0] else precedent + 1
        numeros.append(precedent)
    largeur = numeros[-1]
    places = [""] * largeur
    for numero, texte in zip(numeros, textes, strict=True):
        if numero <= largeur:
            places[numero - 1] = texte
    return places
