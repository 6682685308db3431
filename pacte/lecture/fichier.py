"""Read an uploaded CSV or XLSX file into a DataFrame of strings, safely.

The DataFrame keeps the header names as written and its index (named « ligne ») is the line number the user
sees: the header is line 1, for CSV (one record a line, as a spreadsheet shows it) and XLSX (the sheet's row).

`lire_morceaux` gives the same table in pieces of at most 100 000 lines, so that a million-line extract is read,
checked and written without ever being whole in memory; `lire_fichier` joins the pieces, for small files.
The XLSX reader is the package pacte.lecture.xlsx; this module reads CSV and holds the bounds both share.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import PurePath

import numpy as np
import pandas as pd

from pacte.lecture.validation import Erreur

TAILLE_MAX = 200 * 1024 * 1024  # bytes of a csv as uploaded
# Bytes of an xlsx once decompressed (declared sizes): a sheet of 1 048 576 lines of a CDC extract written with
# inline strings is ≈ 500 Mo (470 Mo measured for a million lines of 9 columns); the sheet is read row by row, so
# this bounds the time of a read, not its memory. The ratio check (xlsx.archive) still stops a zip bomb far earlier.
DECOMPRESSE_MAX = 1024 * 1024 * 1024
RATIO_MAX = 100  # Apache POI refuses members that inflate more than 100 times; real sheets stay under 20
SIGNATURE_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx are OLE files
SIGNATURE_ZIP = b"PK\x03\x04"
BOM = "\ufeff".encode()
# Hostile files (docs/fichiers-hostiles.md): every bound is checked before the file is parsed, or while the sheet is
# read row by row, so that a file past one of them costs neither memory nor time. The formats have at most 10
# columns; the largest real file, the national loans extract, has up to a million lines (9 million cells).
COLONNES_MAX = 256  # columns of the header (Excel 97's limit): extracts carry extra columns, never thousands
LIGNES_MAX = 1_048_576  # data lines, the header not counted: an Excel sheet's rows
CELLULES_MAX = 12_000_000  # data lines × header columns: a million lines of the 9 columns and 3 extra ones
LIGNES_PAR_MORCEAU = 100_000  # lines read, checked and written at a time
LIGNE_MAX = 64 * 1024  # bytes of one line of a CSV: a line of the formats is about 100 bytes
# C0 and C1 control characters (tab, line feed and carriage return excepted: a quoted cell may hold them) and the
# bidirectional overrides, which make a name read differently from what it is; none has a place in a cell.
CONTROLES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ERREURS_CONTROLES_MAX = 100


class ErreurLecture(ValueError):
    """The file cannot be read: its message is French and meant for the user.

    `erreurs` lists the faulty lines when there are some (a CSV line with too many fields)."""

    def __init__(self, message: str, erreurs=()):
        super().__init__(message)
        self.erreurs = list(erreurs)


def lire_fichier(
    contenu: bytes, nom_fichier: str, *, taille_max: int | None = None, ratio_max: int = RATIO_MAX
) -> pd.DataFrame:
    """The first sheet of an .xlsx or the table of a .csv, as strings (dtype str, no NA)."""
    morceaux = list(lire_morceaux(contenu, nom_fichier, taille_max=taille_max, ratio_max=ratio_max))
    if len(morceaux) == 1:
        return morceaux[0]
    entete = morceaux[0].columns  # duplicates kept: concat aligns on positions, not on names
    tableau = pd.concat([m.set_axis(range(len(entete)), axis=1) for m in morceaux])
    return tableau.set_axis(entete, axis=1)


def lire_morceaux(
    contenu: bytes, nom_fichier: str, *, taille_max: int | None = None, ratio_max: int = RATIO_MAX,
    lignes: int = LIGNES_PAR_MORCEAU,
) -> Iterator[pd.DataFrame]:
    """The table of lire_fichier in pieces of at most `lignes` lines, in order, each with the header as columns;
    at least one piece (empty when the file has a header only). Every bound is checked before the first piece."""
    extension = PurePath(nom_fichier).suffix.lower()
    if extension in (".csv", ".txt"):
        return _morceaux_csv(contenu, TAILLE_MAX if taille_max is None else taille_max, lignes)
    if extension == ".xlsx":
        from pacte.lecture.xlsx import morceaux_xlsx  # imports this module

        return morceaux_xlsx(contenu, DECOMPRESSE_MAX if taille_max is None else taille_max, ratio_max, lignes)
    if extension == ".xls":
        raise ErreurLecture("Le format Excel 97-2003 (.xls) n'est pas pris en charge : enregistrez en .xlsx ou CSV.")
    raise ErreurLecture(f"Format de fichier non pris en charge ({extension or 'sans extension'}) : .csv ou .xlsx.")


def _numerote(tableau: pd.DataFrame, entete: list[str], premiere: int) -> pd.DataFrame:
    """Rows named by the header (duplicates kept, valider reports them), numbered from line `premiere`."""
    numeros = pd.Index(range(premiere, premiere + len(tableau)), name="ligne")
    return tableau.set_axis(entete, axis=1).set_axis(numeros, axis=0)


def _mo(octets: int) -> str:
    return f"{octets / 1024 / 1024:.0f} Mo" if octets >= 1024 * 1024 else f"{octets} octets"


# --- CSV ---------------------------------------------------------------------------------------------------


def _ligne_illisible(contenu: bytes, position: int) -> ErreurLecture:
    """French message for the first byte that is not UTF-8: its line, and its column when the header is readable."""
    ligne = contenu.count(b"\n", 0, position) + 1
    debut = contenu.rfind(b"\n", 0, position) + 1
    colonne = ""
    try:
        entete = _premiere_ligne(contenu).decode("utf-8-sig").rstrip("\r")
        avant = contenu[debut:position].decode("utf-8")
        noms = next(csv.reader([entete], delimiter=separateur(entete)))
        rang = len(next(csv.reader([avant], delimiter=separateur(entete)), [""])) - 1
        colonne = f", colonne {noms[rang]}" if ligne > 1 and 0 <= rang < len(noms) else ""
    except (UnicodeDecodeError, csv.Error, StopIteration):
        pass
    return ErreurLecture(
        f"Le fichier n'est pas encodé en UTF-8 (caractère illisible ligne {ligne}{colonne}) : "
        "enregistrez-le en « CSV UTF-8 »."
    )


def _premiere_ligne(contenu: bytes) -> bytes:
    fin = contenu.find(b"\n")
    return contenu if fin == -1 else contenu[:fin]


def separateur(entete: str) -> str:
    """`;` or `,`, whichever the header line holds more of. The header is read, not the data: there `,` is
    also the decimal comma of `;` files. One column, or a tie, gives `;` (the French default)."""
    return "," if entete.count(",") > entete.count(";") else ";"


def _verifier_lignes(contenu: bytes) -> int:
    """Refuse too many lines, or a line too long (50 Mo without a line break), before anything is parsed.
    Returns the number of data lines: the lines after the header, an empty end after the last line break aside."""
    nombre = contenu.count(b"\n") + (0 if contenu.endswith(b"\n") else 1) - 1
    if nombre > LIGNES_MAX:
        raise ErreurLecture(
            f"Fichier refusé : {nombre} lignes de données ({LIGNES_MAX} au plus, sans compter l'en-tête)."
        )
    fins = np.flatnonzero(np.frombuffer(contenu, dtype=np.uint8) == ord("\n"))
    longueurs = np.diff(np.concatenate(([-1], fins, [len(contenu)]))) - 1
    trop_longues = np.flatnonzero(longueurs > LIGNE_MAX)
    if len(trop_longues):
        ligne = int(trop_longues[0])
        raise ErreurLecture(
            f"Fichier refusé : la ligne {ligne + 1} fait {_mo(int(longueurs[ligne]))} sans retour à la ligne "
            f"({LIGNE_MAX // 1024} Kio au plus) ; ce n'est pas un fichier au format attendu."
        )
    return max(nombre, 0)


def _verifier_largeur(entete: list[str], nombre_lignes: int) -> None:
    """Refuse a header of thousands of columns, or more cells than any real file, before the table is built."""
    if len(entete) > COLONNES_MAX:
        raise ErreurLecture(
            f"Fichier refusé : l'en-tête (ligne 1) compte {len(entete)} colonnes ({COLONNES_MAX} au plus) ; "
            "ce n'est pas un fichier au format attendu."
        )
    if len(entete) * nombre_lignes > CELLULES_MAX:
        raise ErreurLecture(
            f"Fichier refusé : {nombre_lignes} lignes de {len(entete)} colonnes, plus de {CELLULES_MAX} cellules ; "
            "retirez les colonnes inutiles ou découpez le fichier."
        )


def visible(texte: str) -> str:
    """A value with its control characters written « <U+0000> », cut at 100 characters: safe to store and show."""
    texte = CONTROLES.sub(lambda m: f"<U+{ord(m.group()):04X}>", texte)
    return texte if len(texte) <= 100 else texte[:99] + "…"


def _erreur_controles(rangees, entete: list[str]) -> ErreurLecture:
    """Every cell (up to 100) holding a control character, by line and column, as one refusal."""
    erreurs = []
    for ligne, rangee in rangees:
        for rang, valeur in enumerate(rangee):
            trouve = CONTROLES.search(valeur)
            if trouve and len(erreurs) < ERREURS_CONTROLES_MAX:
                colonne = visible(entete[rang]) if rang < len(entete) and ligne > 1 else f"colonne {rang + 1}"
                motif = f"caractère de contrôle interdit (U+{ord(trouve.group()):04X})"
                erreurs.append(Erreur(ligne, colonne, visible(valeur), motif))
    lieux = ", ".join(f"ligne {e.ligne} ({e.colonne})" for e in erreurs[:5]) + (" …" if len(erreurs) > 5 else "")
    lignes = len({e.ligne for e in erreurs})
    return ErreurLecture(
        f"Caractères de contrôle interdits dans {len(erreurs)} cellule(s) sur {lignes} ligne(s) (octet nul, "
        f"caractère invisible ou d'inversion de sens) : {lieux}.",
        erreurs,
    )


BLOC_TEXTE = 8 * 1024 * 1024  # bytes decoded at a time: the text of a big file is never whole in memory


def _verifier_texte(contenu: bytes) -> bool:
    """Refuse bytes that are not UTF-8, or an empty file; say whether a control character is there. Decoded in
    blocks cut at line breaks (a character never spans one), so the text of a big file is never whole."""
    debut, vide, controles = 0, True, False
    while debut < len(contenu):
        fin = contenu.find(b"\n", debut + BLOC_TEXTE)
        fin = len(contenu) if fin == -1 else fin + 1
        try:
            texte = contenu[debut:fin].decode("utf-8-sig" if debut == 0 else "utf-8")
        except UnicodeDecodeError as erreur:
            bom = len(BOM) if debut == 0 and contenu.startswith(BOM) else 0
            raise _ligne_illisible(contenu, debut + bom + erreur.start) from None
        vide = vide and (not texte or texte.isspace())
        controles = controles or bool(CONTROLES.search(texte))
        debut = fin
    if vide:
        raise ErreurLecture("Le fichier est vide.")
    return controles


def _morceaux_csv(contenu: bytes, taille_max: int, lignes: int) -> Iterator[pd.DataFrame]:
    if len(contenu) > taille_max:
        raise ErreurLecture(f"Fichier trop volumineux ({_mo(len(contenu))}, limite {_mo(taille_max)}).")
    if contenu.startswith(SIGNATURE_ZIP) or contenu.startswith(SIGNATURE_OLE):
        raise ErreurLecture("Ce fichier est un classeur Excel, pas un CSV : donnez-lui l'extension .xlsx.")
    nombre = _verifier_lignes(contenu)
    controles = _verifier_texte(contenu)
    ligne_entete = _premiere_ligne(contenu).decode("utf-8-sig").rstrip("\r")
    sep = separateur(ligne_entete)
    entete = next(csv.reader([ligne_entete], delimiter=sep), [])
    _verifier_largeur(entete, nombre)
    if controles:
        texte = contenu.decode("utf-8-sig")
        raise _erreur_controles(enumerate(csv.reader(io.StringIO(texte), delimiter=sep), start=1), entete)
    try:
        # pandas decodes the bytes itself: handing it a str would make it encode everything back to UTF-8.
        lecteur = pd.read_csv(
            io.BytesIO(contenu), sep=sep, header=None, dtype=str, encoding="utf-8-sig", na_filter=False,
            skip_blank_lines=False,  # a blank line still counts, so the numbers match the file
            chunksize=lignes,
        )
        premiere = None
        for tableau in lecteur:
            if premiere is None:
                entete, tableau, premiere = [str(nom) for nom in tableau.iloc[0]], tableau.iloc[1:], 2
            yield _numerote(tableau, entete, premiere)
            premiere += len(tableau)
    except pd.errors.ParserError:
        raise _champs_en_trop(contenu.decode("utf-8-sig"), sep) from None


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
