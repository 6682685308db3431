"""Read an uploaded CSV or XLSX file into a DataFrame of strings, safely.

The DataFrame keeps the header names as written and its index (named « ligne ») is the line number the user
sees: the header is line 1, for CSV (one record a line, as a spreadsheet shows it) and XLSX (the sheet's row).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import warnings
import zipfile
from decimal import Decimal
from pathlib import PurePath

import openpyxl
import pandas as pd

from pacte.lecture.validation import Erreur

TAILLE_MAX = 200 * 1024 * 1024  # bytes once decompressed (an xlsx) or as uploaded (a csv)
RATIO_MAX = 100  # Apache POI refuses members that inflate more than 100 times; real sheets stay under 20
SEUIL_RATIO = 1024 * 1024  # small members (themes, styles) may compress very well and harm nobody
MEMBRES_MAX = 10_000
SIGNATURE_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx are OLE files
SIGNATURE_ZIP = b"PK\x03\x04"
BOM = "\ufeff".encode()


class ErreurLecture(ValueError):
    """The file cannot be read: its message is French and meant for the user.

    `erreurs` lists the faulty lines when there are some (a CSV line with too many fields)."""

    def __init__(self, message: str, erreurs=()):
        super().__init__(message)
        self.erreurs = list(erreurs)


def lire_fichier(
    contenu: bytes, nom_fichier: str, *, taille_max: int = TAILLE_MAX, ratio_max: int = RATIO_MAX
) -> pd.DataFrame:
    """The first sheet of an .xlsx or the table of a .csv, as strings (dtype str, no NA)."""
    extension = PurePath(nom_fichier).suffix.lower()
    if extension in (".csv", ".txt"):
        return _lire_csv(contenu, taille_max)
    if extension == ".xlsx":
        return _lire_xlsx(contenu, taille_max, ratio_max)
    if extension == ".xls":
        raise ErreurLecture("Le format Excel 97-2003 (.xls) n'est pas pris en charge : enregistrez en .xlsx ou CSV.")
    raise ErreurLecture(f"Format de fichier non pris en charge ({extension or 'sans extension'}) : .csv ou .xlsx.")


def _avec_entete(tableau: pd.DataFrame, numeros) -> pd.DataFrame:
    """First row as header names (duplicates kept, valider reports them), the other rows numbered."""
    entete = [str(nom) for nom in tableau.iloc[0]]
    donnees = tableau.iloc[1:].set_axis(entete, axis=1)
    return donnees.set_axis(pd.Index(numeros, name="ligne"), axis=0)


# --- CSV ---------------------------------------------------------------------------------------------------


def _ligne_illisible(contenu: bytes) -> int | None:
    """Line of the first byte that is not UTF-8, or None when the whole file decodes."""
    try:
        contenu.decode("utf-8-sig")
    except UnicodeDecodeError as erreur:
        return contenu[: erreur.start].count(b"\n") + 1
    return None


def separateur(entete: str) -> str:
    """`;` or `,`, whichever the header line holds more of. The header is read, not the data: there `,` is
    also the decimal comma of `;` files. One column, or a tie, gives `;` (the French default)."""
    return "," if entete.count(",") > entete.count(";") else ";"


def _lire_csv(contenu: bytes, taille_max: int) -> pd.DataFrame:
    if len(contenu) > taille_max:
        raise ErreurLecture(f"Fichier trop volumineux ({_mo(len(contenu))}, limite {_mo(taille_max)}).")
    if contenu.startswith(SIGNATURE_ZIP) or contenu.startswith(SIGNATURE_OLE):
        raise ErreurLecture("Ce fichier est un classeur Excel, pas un CSV : donnez-lui l'extension .xlsx.")
    ligne = _ligne_illisible(contenu)
    if ligne is not None:
        raise ErreurLecture(
            f"Le fichier n'est pas encodé en UTF-8 (caractère illisible ligne {ligne}) : "
            "enregistrez-le en « CSV UTF-8 »."
        )
    if not contenu.removeprefix(BOM).strip():
        raise ErreurLecture("Le fichier est vide.")
    sep = separateur(contenu.split(b"\n", 1)[0].decode("utf-8-sig"))
    try:
        # pandas decodes the bytes itself: handing it a str would make it encode everything back to UTF-8.
        tableau = pd.read_csv(
            io.BytesIO(contenu), sep=sep, header=None, dtype=str, encoding="utf-8-sig", na_filter=False,
            skip_blank_lines=False,  # a blank line still counts, so the numbers match the file
        )
    except pd.errors.ParserError:
        raise _champs_en_trop(contenu.decode("utf-8-sig"), sep) from None
    return _avec_entete(tableau, range(2, len(tableau) + 1))


def _champs_en_trop(texte: str, sep: str) -> ErreurLecture:
    """Re-read a file pandas refused with the csv module, to name every faulty line and not only the first."""
    lecteur = csv.reader(io.StringIO(texte), delimiter=sep, strict=True)
    try:
        attendu = len(next(lecteur))
        fautes = [(n, len(r)) for n, r in enumerate(lecteur, start=2) if len(r) > attendu]
    except csv.Error:
        fautes = []
    if not fautes:
        return ErreurLecture(f"CSV illisible vers la ligne {lecteur.line_num} (guillemet mal placé ou non fermé ?).")
    indice = " (virgule décimale non protégée par des guillemets ?)" if sep == "," else ""
    erreurs = [Erreur(n, "", "", f"{champs} champs au lieu de {attendu}{indice}") for n, champs in fautes]
    lignes = ", ".join(str(n) for n, _ in fautes[:10]) + (" …" if len(fautes) > 10 else "")
    return ErreurLecture(f"Lignes avec plus de champs que l'en-tête ({attendu}) : {lignes}.", erreurs)


# --- XLSX --------------------------------------------------------------------------------------------------


def _mo(octets: int) -> str:
    return f"{octets / 1024 / 1024:.0f} Mo" if octets >= 1024 * 1024 else f"{octets} octets"


def verifier_defusedxml() -> None:
    """openpyxl picks its XML parser when imported: refuse to read a workbook unless it picked defusedxml,
    which forbids entity declarations (billion laughs) and external references (XXE)."""
    from openpyxl.xml import functions

    if not (openpyxl.DEFUSEDXML and functions.iterparse.__module__.startswith("defusedxml")):
        raise RuntimeError("openpyxl n'utilise pas defusedxml : lecture des fichiers XLSX désactivée.")


def verifier_archive(contenu: bytes, taille_max: int = TAILLE_MAX, ratio_max: int = RATIO_MAX) -> None:
    """Refuse what is not a zip, or a zip that would inflate too much (zip bomb), before any XML is parsed.

    The sizes checked are the declared ones; zipfile never returns more bytes than a member declares (a lying
    member ends in a CRC error), so they bound what openpyxl can be made to read."""
    if contenu.startswith(SIGNATURE_OLE):
        raise ErreurLecture(
            "Classeur protégé par mot de passe ou au format .xls : enregistrez-le en .xlsx sans mot de passe."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            membres = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ErreurLecture(
            "Ce fichier n'est pas un classeur XLSX valide (archive zip illisible ou tronquée)."
        ) from None
    _verifier_membres(membres, taille_max, ratio_max)


def _verifier_membres(membres: list[zipfile.ZipInfo], taille_max: int, ratio_max: int) -> None:
    if len(membres) > MEMBRES_MAX:
        raise ErreurLecture(f"Classeur refusé : {len(membres)} parties dans l'archive.")
    total = sum(m.file_size for m in membres)
    if total > taille_max:
        raise ErreurLecture(f"Classeur trop volumineux une fois décompressé ({_mo(total)}, limite {_mo(taille_max)}).")
    for membre in membres:
        if membre.file_size > SEUIL_RATIO and membre.file_size > ratio_max * max(membre.compress_size, 1):
            raise ErreurLecture(
                f"Classeur refusé : la partie {membre.filename} se décompresse plus de {ratio_max} fois "
                "(bombe de décompression ?)."
            )
    if "[Content_Types].xml" not in {m.filename for m in membres}:
        raise ErreurLecture("Ce fichier n'est pas un classeur XLSX valide (archive zip sans [Content_Types].xml).")


def _lire_xlsx(contenu: bytes, taille_max: int, ratio_max: int) -> pd.DataFrame:
    verifier_defusedxml()
    verifier_archive(contenu, taille_max, ratio_max)
    numeros, rangees = _rangees_premiere_feuille(contenu)
    if not rangees:
        raise ErreurLecture("La première feuille du classeur est vide.")
    largeur = len(rangees[0])
    tableau = pd.DataFrame([(r + ("",) * largeur)[:largeur] for r in rangees], dtype=str)
    return _avec_entete(tableau, numeros[1:])


def _rangees_premiere_feuille(contenu: bytes) -> tuple[list[int], list[tuple[str, ...]]]:
    """Non-empty rows of the first sheet as text, with their row numbers; row 1 is the header."""
    try:
        # openpyxl warns about features it drops (data validation, conditional formats); they do not matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
            try:
                return _rangees(classeur.worksheets[0])
            finally:
                classeur.close()
    except ErreurLecture:
        raise
    except Exception as erreur:  # a damaged workbook fails in many ways (KeyError, ParseError, zlib…)
        raise _erreur_classeur(erreur) from None


def _erreur_classeur(erreur: Exception) -> ErreurLecture:
    """French message for a workbook openpyxl failed on; it wraps defusedxml's refusals in a ValueError."""
    cause = erreur
    while cause is not None and not type(cause).__module__.startswith("defusedxml"):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        return ErreurLecture("Classeur refusé : il contient du XML interdit (entités ou DTD), possible attaque.")
    return ErreurLecture(f"Classeur XLSX illisible ou endommagé ({type(erreur).__name__}).")


def _rangees(feuille) -> tuple[list[int], list[tuple[str, ...]]]:
    # The declared dimension may claim A1:XFD1048576; recompute it from the cells actually there.
    feuille.reset_dimensions()
    rangees = feuille.iter_rows(values_only=True)
    entete = tuple(_texte_cellule(v) for v in next(rangees, ()))
    while entete and entete[-1] == "":
        entete = entete[:-1]
    numeros, textes = [1], [entete]
    for numero, rangee in enumerate(rangees, start=2):
        texte = tuple(_texte_cellule(v) for v in rangee[: len(entete)])  # cells past the header have no name
        if any(texte):
            numeros.append(numero)
            textes.append(texte)
    return numeros, textes if entete else []


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
