"""The archive of an XLSX, checked before any XML is parsed: a zip, neither a bomb nor an OLE file, and openpyxl
reading its small parts through defusedxml."""

from __future__ import annotations

import io
import zipfile

import openpyxl

from pacte.lecture.fichier import RATIO_MAX, SIGNATURE_OLE, SIGNATURE_ZIP, TAILLE_MAX, ErreurLecture, _mo

SEUIL_RATIO = 1024 * 1024  # small members (themes, styles) may compress very well and harm nobody
MEMBRES_MAX = 10_000


def verifier_defusedxml() -> None:
    """openpyxl picks its XML parser when imported: refuse to read a workbook unless it picked defusedxml,
    which forbids entity declarations (billion laughs) and external references (XXE)."""
    from openpyxl.xml import functions

    if not (openpyxl.DEFUSEDXML and functions.iterparse.__module__.startswith("defusedxml")):
        raise RuntimeError("openpyxl n'utilise pas defusedxml : lecture des fichiers XLSX désactivée.")


def verifier_archive(contenu: bytes, taille_max: int = TAILLE_MAX, ratio_max: int = RATIO_MAX) -> None:
    """Refuse what is not a zip, or a zip that would inflate too much (zip bomb), before any XML is parsed.

    The sizes checked are the declared ones; zipfile never returns more bytes than a member declares (a lying
    member ends in a CRC error), so they bound what the readers (openpyxl, pacte.lecture.xlsx) can be made to read."""
    if contenu.startswith(SIGNATURE_OLE):
        raise ErreurLecture(
            "Classeur protégé par mot de passe ou au format .xls : enregistrez-le en .xlsx sans mot de passe."
        )
    if not contenu.startswith(SIGNATURE_ZIP) and _texte(contenu[:4096]):
        raise ErreurLecture(
            "Ce fichier n'est pas un classeur XLSX valide : c'est un texte (CSV ?), donnez-lui l'extension .csv."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            membres = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ErreurLecture(
            "Ce fichier n'est pas un classeur XLSX valide (archive zip illisible ou tronquée)."
        ) from None
    _verifier_membres(membres, taille_max, ratio_max)


def _texte(debut: bytes) -> bool:
    """The start of a file is text: UTF-8 (a character cut at the end aside), no NUL byte, something printed."""
    try:
        texte = debut.decode("utf-8-sig")
    except UnicodeDecodeError as erreur:
        if erreur.start < len(debut) - 3:
            return False
        texte = debut[: erreur.start].decode("utf-8-sig")
    return "\x00" not in texte and bool(texte.strip())


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

