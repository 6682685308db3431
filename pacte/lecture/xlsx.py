"""Stream the first worksheet of an .xlsx as rows of text, as openpyxl's read-only mode would give them.

openpyxl builds an element and a dict per cell (≈ 6 600 rows of 9 cells a second). Here the sheet is inflated in
blocks of `BLOC` bytes (memory bounded: a row larger than `RANGEE_MAX` is refused), each piece cut after its last
`</row>`, and read in one of three ways, the first that applies:

1. by shapes (`_bloc_par_gabarits`): the rows of a piece usually differ only by their values and numbers. A row's
   shape is its XML without the text between tags and without digits; the first row of each shape is read by the
   row patterns below, then every value of the piece is found by one regular expression and the values of each
   cell are converted a column at a time (a column of numbers already written as openpyxl would give them back is
   kept as it is). Almost all the work is done in C (re, bytes, numpy).
2. row by row (`_lire_morceau`): rows and cells of the usual shape (what Excel, LibreOffice and openpyxl write:
   attributes r, s, t in that order, double quotes, no blank inside a cell) matched by compiled patterns, each cell
   converted in Python (`Cellules.texte`).
3. by openpyxl's own row parser (`WorkSheetParser`, through defusedxml), started again from the top and skipping
   the rows already handed on, for anything else: a comment, CDATA, a processing instruction, a namespace prefix,
   another attribute order, single quotes, rows out of order. Unusual files stay exact, only slower.

The workbook's metadata (which sheet is first, date styles, the 1904 calendar, where the shared strings are) is read
by openpyxl itself, through defusedxml, from the small parts; only the sheet and the shared strings, the big parts,
are read here. A DOCTYPE or an entity declaration in either is refused as openpyxl refuses an entity.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET  # noqa: S405 - fragments free of DTD and entities only (checked before)
from collections.abc import Iterator
from functools import cache
from itertools import islice, product
from string import ascii_uppercase

import numpy as np
from defusedxml.ElementTree import fromstring as fromstring_sur
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.reader.strings import read_string_table
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._reader import WorkSheetParser, _cast_number
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

BLOC = 1024 * 1024  # inflated bytes read at a time
RANGEE_MAX = 16 * 1024 * 1024  # bytes of one row's XML: 256 columns of long texts stay far below
NS = SHEET_MAIN_NS
ENTITES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

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
SI = re.compile(r'\s*<si>(?:<t(?: xml:space="preserve")?>([^<]*)</t>|(.*?))</si>|\s*<si/>', re.S)
# What the fast path does not read (the whole sheet then goes to openpyxl's parser): comments, CDATA, DOCTYPE,
# processing instructions, namespace declarations and prefixed elements, characters XML forbids, `]]>`.
INHABITUEL = re.compile(r"<[!?]|xmlns|</?[\w.-]+:|]]>|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# An ampersand that does not start one of the five predefined entities or a character reference.
ESPERLUETTE = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
INTERDIT = re.compile(rb"<!DOCTYPE|<!ENTITY")
# Number texts whose value openpyxl turns back into the same text: an integer (str(int)), or a decimal of at most
# 15 significant digits without exponent, leading or trailing zeros (texte_nombre(float) gives it back, DBL_DIG).
NOMBRE_SUR = re.compile(
    r"0|-?(?:[1-9][0-9]{0,14}|(?=[0-9.]{3,16}$)[1-9][0-9]*\.[0-9]*[1-9]|0\.0{0,20}(?=[0-9]{1,15}$)[1-9](?:[0-9]*[1-9])?)"
)


Bloc = tuple[list[int], list[list[str]]]  # row numbers, and the texts of the rows column by column


class XmlInterdit(ValueError):
    """A DOCTYPE or entity declaration in a part read here (its module name is not defusedxml's: see fichier)."""


class RangeeDemesuree(ValueError):
    pass


class _Lent(Exception):
    """The fast path met something it does not read: start again with openpyxl's parser."""


class Metadonnees(ExcelReader):
    """openpyxl's reader minus what is big: the shared strings and the sheets are located, not read."""

    def read_strings(self):
        partie = self.package.find(SHARED_STRINGS)
        self.chemin_chaines = partie.PartName[1:] if partie is not None else None

    def read_worksheets(self):
        # The first worksheet openpyxl would list (its rels target present in the archive, not a chartsheet).
        self.chemin_feuille = next((rel.target for _, rel in self.parser.find_sheets()
                                    if rel.target in self.valid_files and "chartsheet" not in rel.Type), None)


def metadonnees(archive_octets: bytes) -> Metadonnees:
    lecteur = Metadonnees(io.BytesIO(archive_octets), read_only=True, data_only=True)
    with warnings.catch_warnings():  # features openpyxl drops (data validation…) do not matter here
        warnings.simplefilter("ignore")
        lecteur.read()
    return lecteur


@cache
def colonnes() -> dict[str, int]:
    """Column letters A … ZZZ (what openpyxl accepts) to their number."""
    lettres = ("".join(p) for n in (1, 2, 3) for p in product(ascii_uppercase, repeat=n))  # A … Z, AA … ZZZ
    return {colonne: numero for numero, colonne in enumerate(lettres, start=1)}


# --- Text of a cell ----------------------------------------------------------------------------------------------


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


# --- Rows --------------------------------------------------------------------------------------------------------


def _blocs(source) -> Iterator[bytes]:
    while bloc := source.read(BLOC):
        yield bloc


def _verifier_interdit(octets: bytes) -> None:
    if INTERDIT.search(octets):
        raise XmlInterdit


def _rangees_rapides(archive, chemin: str, cellules: Cellules, etat: dict) -> Iterator[Bloc]:
    """The sheet's rows as blocks, fast; raises _Lent when it cannot."""
    with archive.open(chemin) as source:
        blocs = _blocs(source)
        tampon, debut = b"", None
        for bloc in blocs:  # the prologue: up to <sheetData>
            tampon += bloc
            _verifier_interdit(tampon)
            if (debut := re.search(rb"<sheetData\s*(/?)>", tampon)) or len(tampon) > RANGEE_MAX:
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
            if len(tampon) > RANGEE_MAX:
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


def _en_colonnes(rangees: list[tuple[int, list[str]]], largeur: int | None) -> Bloc:
    """Rows (number, texts) as a block of `largeur` columns (the widest row's when None)."""
    if largeur is None:
        largeur = max((len(textes) for _, textes in rangees), default=0)
    lignes = [(textes + [""] * largeur)[:largeur] for _, textes in rangees]
    return [n for n, _ in rangees], [list(colonne) for colonne in zip(*lignes, strict=True)] or [[]] * largeur


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
    if len(fin) > RANGEE_MAX or not re.match(rb"\s*</sheetData>", fin):
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


# --- Blocks of rows that share a shape --------------------------------------------------------------------------

SQUELETTE = re.compile(rb">[^<]+<")  # the text between tags: values, and blanks openpyxl ignores
CHIFFRES = b"0123456789"
VALEUR = re.compile(rb'<(?:v|t(?: xml:space="preserve")?)>([^<]*)<')
SORTE = re.compile(r'<(v|t)(?: xml:space="preserve")?>')
NUMERO = re.compile(rb'<row r="([0-9]+)"')
STYLE = re.compile(rb' s="([0-9]+)"')
_SUR = NOMBRE_SUR.pattern.replace("$", "(?![0-9.])")
NOMBRES_SURS = re.compile(f"(?:{_SUR})?(?:\n(?:{_SUR})?)*")  # a column of such numbers (or empty cells), joined
GABARITS_MAX = 32
INHABITUELS = (b"<!", b"<?", b"xmlns", b"&")  # looked for in the shapes: an entity in an attribute is rare
DANS_LE_TEXTE = (b"]]>", b"\r", "\ufffe".encode(), "\uffff".encode())
OCTETS_INTERDITS = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])  # raw, they make the XML ill-formed


def _bloc_par_gabarits(octets: bytes, cellules: Cellules, etat: dict) -> Bloc | None:
    """A piece of the sheet as columns, when its rows take few shapes (the same cells, types and styles; only the
    values and the row numbers differ), converted a column at a time; None when it does not qualify.

    A row's shape is its XML without the text between tags and without digits: what openpyxl reads of it apart
    from the values (the row number and the cells' letters are read apart). The first row of each shape is read by
    the row patterns; the values of all rows of that shape are then where that row has them."""
    if etat["largeur"] is None:
        return None
    squelette = SQUELETTE.sub(b"><", octets)
    if cellules.dates:  # digits go: a date style keeps its kind (date or duration), the only thing a style decides
        for style in set(STYLE.findall(squelette)):
            if style.decode() in cellules.dates:
                sorte = b"u" if style.decode() in cellules.durees else b"d"
                squelette = squelette.replace(b' s="' + style + b'"', b' s="' + sorte + b'"')
    squelettes = squelette.translate(None, CHIFFRES).split(b"</row>")
    if squelettes.pop().strip():
        return None
    gabarits: dict[bytes, int] = {}
    indices = [gabarits.setdefault(squelette, len(gabarits)) for squelette in squelettes]
    # Comments, CDATA, processing instructions and namespaces start inside tags: the shapes show them.
    if len(gabarits) > GABARITS_MAX or any(motif in gabarit for gabarit in gabarits for motif in INHABITUELS):
        return None
    numeros = NUMERO.findall(octets)
    if len(numeros) != len(squelettes) or not numeros:
        return None
    numeros = list(map(int, numeros))
    if numeros[0] < etat["compteur"] or (np.diff(np.asarray(numeros)) <= 0).any():
        return None  # rows out of order: the row-by-row path sends them to openpyxl
    premieres = [indices.index(rang) for rang in range(len(gabarits))]
    rangees = octets.split(b"</row>", max(premieres) + 1)
    formes = [_forme(rangees[premiere] + b"</row>") for premiere in premieres]
    if None in formes:
        return None
    valeurs = VALEUR.findall(octets)
    joint = b"\x00".join(valeurs)
    # Characters XML forbids, `]]>` and carriage returns (line ends XML rewrites) are in the text, if anywhere.
    if len(joint.translate(None, OCTETS_INTERDITS)) != len(joint) - max(len(valeurs) - 1, 0) \
            or any(motif in joint for motif in DANS_LE_TEXTE):
        return None
    octets.decode("utf-8")  # the same refusal as expat for bytes that are not UTF-8, anywhere
    esperluette = b"&" in joint
    if esperluette and ESPERLUETTE.search(joint.decode("utf-8")):
        return None
    return _remplir(numeros, indices, formes, valeurs, cellules, etat, esperluette)


def _forme(rangee: bytes):
    """The cells of a row's shape: (slots per row, [(column, style, type, slot or None)]), or None."""
    texte = rangee.decode("utf-8")
    trouvee = RANGEE.fullmatch(texte)
    if trouvee is None or INHABITUEL.search(texte):
        return None
    cellules, precedent, places = [], 0, 0
    for cellule in CELLULE.finditer(texte, trouvee.start(2), trouvee.end(2)) if trouvee.group(2) else ():
        lettres, style, type_, _, _, riche = cellule.groups()
        if riche:
            return None
        sortes = SORTE.findall(cellule.group(0))
        voulue = "t" if type_ == "inlineStr" else "v"
        place = places + sortes.index(voulue) if voulue in sortes else None
        places += len(sortes)
        precedent = colonnes()[lettres] if lettres else precedent + 1
        cellules.append((precedent, style, type_, place))
    return places, cellules


def _remplir(numeros, indices, formes, valeurs, cellules: Cellules, etat: dict, esperluette: bool) -> Bloc | None:
    """The texts of a piece's rows, column by column, from the values in document order and the rows' shapes."""
    largeur, n, plusieurs = etat["largeur"], len(numeros), len(formes) > 1
    indices = np.asarray(indices)
    places = np.asarray([forme[0] for forme in formes])[indices]
    if int(places.sum()) != len(valeurs):
        return None
    debuts = np.cumsum(places) - places
    tableau = np.asarray(valeurs, dtype=object) if plusieurs else None
    sortie = [np.full(n, "", dtype=object) for _ in range(largeur)] if plusieurs else [[""] * n] * largeur
    for rang, (nombre, liste) in enumerate(formes):
        lignes = np.flatnonzero(indices == rang) if plusieurs else None
        textes = {}
        for colonne, style, type_, place in liste:  # every cell converted: openpyxl fails on a bad one too
            if place is None:
                brut = [""] * (n if lignes is None else len(lignes))
            elif lignes is None:
                brut = _decoder(valeurs[place::nombre])
            else:
                brut = _decoder(tableau[debuts[lignes] + place])
            textes[colonne] = _convertir(brut, style or "", type_ or "", cellules, esperluette)
        derniere = liste[-1][0] if liste else 0  # the last cell's column is the row's width
        for colonne, texte in textes.items():
            if colonne <= min(derniere, largeur):
                if plusieurs:
                    sortie[colonne - 1][lignes] = np.array(texte, dtype=object)
                else:
                    sortie[colonne - 1] = texte
    etat["compteur"] = numeros[-1] + 1
    return numeros, sortie


def _decoder(valeurs) -> list[str]:
    """The values of one column, decoded together: its strings are then side by side in memory, which makes the
    column operations of the validation twice as fast as on strings strewn row after row."""
    return b"\x00".join(valeurs).decode("utf-8").split("\x00") if len(valeurs) else []


def _convertir(brut: list[str], style: str, type_: str, cellules: Cellules, esperluette: bool) -> list[str]:
    propre = [dereferencer(valeur) for valeur in brut] if esperluette else brut
    if type_ == "inlineStr":
        return propre
    if type_ in ("n", "") and style not in cellules.dates and NOMBRES_SURS.fullmatch("\n".join(propre)):
        return propre
    convertir = cellules.texte
    return [convertir(style, type_, valeur, "", "") for valeur in brut]


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


class _Compteur(io.RawIOBase):
    """A member read by openpyxl's parser, refusing a row of more than RANGEE_MAX bytes (its tree is built whole)."""

    def __init__(self, source):
        self.source, self.depuis_rangee = source, 0

    def readable(self):
        return True

    def read(self, taille=-1):
        octets = self.source.read(taille)
        self.depuis_rangee += len(octets)
        if self.depuis_rangee > RANGEE_MAX:
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


# --- Shared strings ----------------------------------------------------------------------------------------------


def chaines_partagees(archive, chemin: str | None) -> list[str]:
    """The shared strings table as openpyxl reads it (Text.content, « x005F_ » removed), read fast when it has
    the usual shape and by openpyxl otherwise."""
    if chemin is None:
        return []
    try:
        return _chaines_rapides(archive, chemin)
    except (_Lent, UnicodeDecodeError):
        pass
    with archive.open(chemin) as source:
        _verifier_interdit(source.read(4096))
    with archive.open(chemin) as source:
        return read_string_table(source)


def _chaines_rapides(archive, chemin: str) -> list[str]:
    chaines: list[str] = []
    with archive.open(chemin) as source:
        tampon, debut = b"", None
        for bloc in _blocs(source):
            tampon += bloc
            if debut is None:
                _verifier_interdit(tampon)
                debut = re.match(rb'(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>)?\s*<sst xmlns="' + NS.encode()
                                 + rb'"(?: (?!xmlns)[\w:]+="[^"<]*")*\s*>', tampon)
                if debut is None:
                    if len(tampon) > 4096:
                        raise _Lent
                    continue
                declaration = re.match(rb'(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=["\']([^"\']*)', tampon)
                if declaration and declaration.group(1).lower() not in (b"utf-8", b"utf8"):
                    raise _Lent
                tampon = tampon[debut.end():]
            coupe = max(tampon.rfind(b"</si>") + 5, tampon.rfind(b"<si/>") + 5)
            if coupe < 5:
                if len(tampon) > RANGEE_MAX:
                    raise RangeeDemesuree
                continue
            _lire_chaines(tampon[:coupe].decode("utf-8"), chaines)
            tampon = tampon[coupe:]
    if debut is None or not re.fullmatch(rb"\s*</sst>\s*", tampon):
        raise _Lent
    return chaines


def _lire_chaines(texte: str, chaines: list[str]) -> None:
    if INHABITUEL.search(texte) or ESPERLUETTE.search(texte):
        raise _Lent
    if "\r" in texte:
        texte = texte.replace("\r\n", "\n").replace("\r", "\n")
    position = 0
    for si in SI.finditer(texte):
        if si.start() != position:
            raise _Lent
        position = si.end()
        simple, riche = si.groups()
        chaine = _texte_riche(riche, "si") if riche else dereferencer(simple or "")
        chaines.append(chaine.replace("x005F_", "") if "x005F_" in chaine else chaine)
    if texte[position:].strip():
        raise _Lent
