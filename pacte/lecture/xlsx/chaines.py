"""The shared strings table (xl/sharedStrings.xml), one of the two big parts: read fast when it has the usual
shape, by openpyxl otherwise."""

from __future__ import annotations

import re

from openpyxl.reader.strings import read_string_table

from pacte.lecture.xlsx import commun
from pacte.lecture.xlsx.cellules import _texte_riche, dereferencer
from pacte.lecture.xlsx.commun import ESPERLUETTE, INHABITUEL, NS, RangeeDemesuree, _blocs, _Lent, _verifier_interdit

SI = re.compile(r'\s*<si>(?:<t(?: xml:space="preserve")?>([^<]*)</t>|(.*?))</si>|\s*<si/>', re.S)


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
                if len(tampon) > commun.RANGEE_MAX:
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
