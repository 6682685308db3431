"""Blocks of rows that share a shape, read a column at a time (the first of the three ways: see the package)."""

from __future__ import annotations

import re

import numpy as np

from pacte.lecture.xlsx.cellules import NOMBRE_SUR, Cellules, dereferencer
from pacte.lecture.xlsx.commun import CELLULE, ESPERLUETTE, INHABITUEL, RANGEE, Bloc, colonnes

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
