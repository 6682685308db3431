"""Types of the values of an imported column, each checked on a whole column at once.

A type's `analyser(valeurs)` takes a Series of distinct, non-empty, stripped strings and returns two Series on the
same index: the typed values (NA where invalid) and the French reason of each invalid value (None where valid).
The caller (validation.py) feeds it the distinct values of a column only, so a 200 000-line column of 800 SIRENs
costs 800 checks, and maps the results back to the lines.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

import numpy as np
import pandas as pd

Analyse = tuple[pd.Series, pd.Series]

# Thousands separators French users type or spreadsheets write: space, no-break space, narrow no-break space.
SEPARATEURS_MILLIERS = " \u00a0\u202f"
_SEP = f"[{SEPARATEURS_MILLIERS}]"
# ASCII digits only: \d would also accept Arabic-Indic or full-width digits.
_GROUPES = rf"[0-9]{{1,3}}(?:{_SEP}[0-9]{{3}})+|[0-9]+"
_SIGNE = rf"(?:[-+\u2212]{_SEP}?)?"
ZERO_PERDU = " (zéro initial perdu par le tableur ? saisir la colonne au format texte)"


def sans_accents(texte: str) -> str:
    """« Numéro  Prêt » → « numero  pret »: casefold and drop combining marks (é → e, ç → c)."""
    decompose = unicodedata.normalize("NFKD", texte.casefold())
    return "".join(c for c in decompose if not unicodedata.combining(c))


def motifs(index: pd.Index, *cas: tuple[pd.Series | np.ndarray, str]) -> pd.Series:
    """The reason of the first case whose mask is true, None elsewhere: cases are listed by priority."""
    resultat = np.full(len(index), None, dtype=object)
    for masque, motif in reversed(cas):
        resultat[np.broadcast_to(np.asarray(masque, dtype=bool), len(index))] = motif
    return pd.Series(resultat, index=index, dtype=object)


def conformes(valeurs: pd.Series, forme: str) -> np.ndarray:
    """Mask of the values that match the regular expression `forme` whole.

    The column is joined with newlines and scanned once for the lines that do not match: the loop runs in
    the regex engine, not in Python, and only the failing values cost a Python step. A value holding a newline
    would shift the lines, so such columns (never well-formed anyway) take the plain per-value path."""
    joint = "\n".join(valeurs.tolist())
    if joint.count("\n") != len(valeurs) - 1:
        return valeurs.str.fullmatch(forme).to_numpy(dtype=bool)
    masque = np.ones(len(valeurs), dtype=bool)
    position, ligne = 0, 0
    for echec in re.finditer(rf"^(?!(?:{forme})$).*$", joint, flags=re.MULTILINE):
        ligne += joint.count("\n", position, echec.start())
        position = echec.start()
        masque[ligne] = False
    return masque


def _sans_separateurs(valeurs: pd.Series) -> pd.Series:
    """Drop thousands separators, turn the decimal comma and the Unicode minus into ASCII."""
    for separateur in SEPARATEURS_MILLIERS:
        valeurs = valeurs.str.replace(separateur, "", regex=False)
    return valeurs.str.replace(",", ".", regex=False).str.replace("\u2212", "-", regex=False)


class TypeValeur:
    """Base of the column types; `libelle` names the type in documentation and messages."""

    libelle = "valeur"
    # Check the distinct values only, then spread the results over the lines: a gain for the columns that repeat
    # (SIREN, codes, dates), a loss for those that do not (amounts, loan numbers), which set it to False.
    factoriser = True

    def analyser(self, valeurs: pd.Series) -> Analyse:
        raise NotImplementedError

    def en_python(self, valeur):
        """One cleaned value as the Python object a small import or a test wants (Decimal, date, int…)."""
        return valeur

    def __repr__(self):
        return f"{type(self).__name__}()"


class Texte(TypeValeur):
    libelle = "texte"
    factoriser = False

    def __init__(self, longueur_max: int | None = None):
        self.longueur_max = longueur_max

    def analyser(self, valeurs):
        if self.longueur_max is None:
            return valeurs.astype(object), motifs(valeurs.index)
        trop_long = valeurs.str.len() > self.longueur_max
        return valeurs.where(~trop_long).astype(object), motifs(
            valeurs.index, (trop_long, f"texte trop long ({self.longueur_max} caractères au plus)")
        )


def luhn_valide(chiffres: pd.Series) -> np.ndarray:
    """Luhn check of strings of 9 ASCII digits, as one numpy computation over the whole column."""
    matrice = np.frombuffer("".join(chiffres).encode("ascii"), dtype=np.uint8).reshape(-1, 9).astype(np.int16)
    matrice -= ord("0")
    # From the right, every second digit is doubled: for 9 digits, the 2nd, 4th, 6th and 8th from the left.
    doubles = matrice[:, 1::2] * 2
    total = matrice[:, 0::2].sum(axis=1) + (doubles // 10 + doubles % 10).sum(axis=1)
    return total % 10 == 0


class Siren(TypeValeur):
    """9 digits (« 552 100 554 » accepted) with a valid Luhn key; kept as text so leading zeros stay."""

    libelle = "SIREN"

    def analyser(self, valeurs):
        chiffres = valeurs.str.replace(_SEP, "", regex=True)
        forme = conformes(valeurs, rf"[0-9]{{3}}{_SEP}?[0-9]{{3}}{_SEP}?[0-9]{{3}}")
        cle = np.zeros(len(valeurs), dtype=bool)
        cle[forme] = luhn_valide(chiffres[forme])
        court = chiffres.str.fullmatch(r"[0-9]{1,8}")
        siret = chiffres.str.fullmatch(r"[0-9]{14}")
        return chiffres.where(forme & cle).astype(object), motifs(
            valeurs.index,
            (~forme & court, "SIREN invalide : 9 chiffres attendus" + ZERO_PERDU),
            (~forme & siret, "SIREN invalide : 9 chiffres attendus (c'est un SIRET de 14 chiffres)"),
            (~forme, "SIREN invalide : 9 chiffres attendus"),
            (~cle, "SIREN invalide (clé de Luhn)"),
        )


class Entier(TypeValeur):
    """A whole number, « 1 234 » accepted, and « 12,0 » too (spreadsheets write integers so)."""

    libelle = "entier"
    CHIFFRES_MAX = 15  # beyond, int64 and the database's integer columns do not follow

    def __init__(self, minimum: int | None = 0, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def analyser(self, valeurs):
        forme = conformes(valeurs, rf"{_SIGNE}(?:{_GROUPES})(?:[.,]0+)?")
        texte = _sans_separateurs(valeurs.where(forme, "0")).str.replace(r"\.0+$", "", regex=True)
        trop_grand = texte.str.lstrip("+-").str.lstrip("0").str.len() > self.CHIFFRES_MAX
        nombres = pd.to_numeric(texte.where(~trop_grand, "0")).astype("Int64")
        sous = nombres < self.minimum if self.minimum is not None else False
        dessus = nombres > self.maximum if self.maximum is not None else False
        invalide = motifs(
            valeurs.index,
            (~forme, "nombre entier attendu"),
            (trop_grand, "nombre trop grand"),
            (sous & (self.minimum == 0), "nombre négatif interdit"),
            (sous, f"nombre inférieur au minimum {self.minimum}"),
            (dessus, f"nombre supérieur au maximum {self.maximum}"),
        )
        return nombres.where(invalide.isna()), invalide

    def en_python(self, valeur):
        return int(valeur)


class Montant(TypeValeur):
    """Euros with cents: « 1234.56 », « 1234,56 », « 1 234,56 € ». Cleaned as exact text « 1234.56 ».

    More than two decimals is refused rather than rounded, unless the extra decimals are zeros (« 12,500 »
    is exactly 12.50). At most 13 digits before the comma: the database stores Decimal(15, 2).
    One regular expression checks the form; numpy's string functions (C loops) rewrite the valid ones.
    """

    libelle = "montant"
    factoriser = False
    CHIFFRES_MAX = 13
    FORME = rf"{_SIGNE}(?:{_GROUPES})(?:[.,][0-9]+)?(?:{_SEP}?€)?"

    def __init__(self, negatif: bool = False):
        self.negatif = negatif

    def analyser(self, valeurs):
        forme = conformes(valeurs, self.FORME)
        entier, decimales, negatif = _decouper_montant(valeurs.where(forme, "0"))
        trop_decimales = np.strings.rstrip(np.strings.slice(decimales, 2, None), "0") != ""
        trop_grand = np.strings.str_len(entier) > self.CHIFFRES_MAX
        decimales = np.strings.ljust(np.strings.slice(decimales, 0, 2), 2, "0")
        negatif &= (entier != "0") | (decimales != "00")  # « -0,00 » is zero, not a negative amount
        normalise = np.strings.add(np.strings.add(entier, "."), decimales)
        normalise = np.where(negatif, np.strings.add("-", normalise), normalise)
        invalide = motifs(
            valeurs.index,
            (~forme, "montant invalide (attendu par exemple 1234,56 ou 1 234,56)"),
            (trop_decimales, "montant invalide : plus de 2 décimales"),
            (trop_grand, "montant trop grand"),
            (negatif & (not self.negatif), "montant négatif interdit"),
        )
        normalise = pd.Series(normalise.astype(object), index=valeurs.index)
        return normalise.where(invalide.isna()), invalide

    def en_python(self, valeur):
        return Decimal(valeur)


def _decouper_montant(textes: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Well-formed amounts → integer part without separators nor leading zeros, decimal digits, negative mask.

    The separators go in a few `str.replace` over the column joined into one string: C loops over a few
    megabytes, faster than any per-value call (the values hold no newline: they matched the form)."""
    joint = "\n".join(textes.tolist())
    for separateur in "€" + SEPARATEURS_MILLIERS:
        joint = joint.replace(separateur, "")
    joint = joint.replace(",", ".").replace("\u2212", "-")
    textes = np.asarray(joint.split("\n"), dtype=str)
    negatif = np.strings.startswith(textes, "-")
    textes = np.strings.lstrip(textes, "+-")
    point = np.strings.find(textes, ".")
    point = np.where(point < 0, np.strings.str_len(textes), point)
    entier = np.strings.lstrip(np.strings.slice(textes, 0, point), "0")
    entier = np.where(entier == "", "0", entier)
    return entier, np.strings.slice(textes, point + 1, None), negatif


def centimes(montants: pd.Series) -> pd.Series:
    """Cleaned amounts (« 1234.50 ») as whole cents (123450, Int64): exact, and fast to sum or to COPY."""
    return montants.str.replace(".", "", regex=False).astype("Int64")


class Date(TypeValeur):
    """« 2013-05-17 » or « 17/05/2013 » (« 17/5/2013 » too); a day that does not exist is refused."""

    libelle = "date"

    def analyser(self, valeurs):
        sans_heure = valeurs.str.replace(r"[ T]00:00(?::00)?$", "", regex=True)
        iso = sans_heure.str.replace(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$", r"\3-\2-\1", regex=True)
        forme = conformes(iso, r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
        dates = pd.to_datetime(iso.where(forme), format="%Y-%m-%d", errors="coerce")
        invalide = motifs(
            valeurs.index,
            (~forme, "date invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"),
            (dates.isna(), "date invalide (ce jour n'existe pas)"),
        )
        return dates.dt.strftime("%Y-%m-%d").where(invalide.isna()).astype(object), invalide

    def en_python(self, valeur):
        return dt.date.fromisoformat(valeur)


class Booleen(TypeValeur):
    libelle = "booléen"
    VALEURS = {"oui": True, "non": False, "true": True, "false": False, "1": True, "0": False,
               "vrai": True, "faux": False}

    def analyser(self, valeurs):
        booleens = valeurs.str.lower().map(self.VALEURS).astype("boolean")
        return booleens, motifs(
            valeurs.index, (booleens.isna(), "booléen invalide : attendu oui/non, true/false ou 1/0")
        )

    def en_python(self, valeur):
        return bool(valeur)


class Annee(TypeValeur):
    libelle = "année"

    def __init__(self, minimum: int = 1990, maximum: int = 2100):
        self.minimum, self.maximum = minimum, maximum

    def analyser(self, valeurs):
        forme = conformes(valeurs, r"[0-9]{4}")
        annees = pd.to_numeric(valeurs.where(forme, "0")).astype("Int64")
        hors = (annees < self.minimum) | (annees > self.maximum)
        invalide = motifs(
            valeurs.index,
            (~forme | hors, f"année invalide (attendu AAAA entre {self.minimum} et {self.maximum})"),
        )
        return annees.where(invalide.isna()), invalide

    def en_python(self, valeur):
        return int(valeur)


def cle_de_choix(texte: str) -> str:
    """Key under which a choice is matched: case, accents, spaces, hyphens and underscores ignored."""
    return "".join(c for c in sans_accents(texte) if c not in " _-\u00a0\u202f")


class Choix(TypeValeur):
    """One of a fixed list (an enum), matched loosely (« plus foncier » is PLUS_FONCIER), cleaned to its code."""

    libelle = "choix"

    def __init__(self, choix, motif: str = "valeur inconnue", zero_perdu: bool = False):
        self.choix = tuple(choix)
        self.index = {cle_de_choix(c): c for c in self.choix}
        if len(self.index) != len(self.choix):
            raise ValueError(f"Choix indiscernables une fois normalisés : {self.choix}")
        attendus = self.choix if len(self.choix) <= 12 else (*self.choix[:10], "…")
        self.motif = f"{motif} : attendu {', '.join(attendus)}"
        self.zero_perdu = zero_perdu

    def analyser(self, valeurs):
        codes = valeurs.map(lambda v: self.index.get(cle_de_choix(v))).astype(object)
        inconnu = codes.isna()
        # A code with a leading zero (« 01 ») that a spreadsheet read as a number (« 1 »).
        perdu = inconnu & valeurs.map(lambda v: self.zero_perdu and "0" + v in self.index).astype(bool)
        return codes, motifs(valeurs.index, (perdu, self.motif + ZERO_PERDU), (inconnu, self.motif))

    def __repr__(self):
        return f"Choix({self.choix!r})"


class CodeCommune(TypeValeur):
    """INSEE commune code: 5 characters, digits or 2A/2B (Corsica) followed by 3 digits."""

    libelle = "code commune INSEE"
    MOTIF = "code commune invalide (5 caractères attendus, 2A ou 2B pour la Corse)"

    def analyser(self, valeurs):
        codes = valeurs.str.upper()
        forme = conformes(codes, r"[0-9]{5}|2[AB][0-9]{3}")
        perdu = codes.str.fullmatch(r"[0-9]{4}")
        return codes.where(forme).astype(object), motifs(
            valeurs.index, (~forme & perdu, self.MOTIF + ZERO_PERDU), (~forme, self.MOTIF)
        )


# Régions and their départements before the 2016 reform (INSEE codes), the map the pact of 2013 uses.
DEPARTEMENTS_PAR_REGION = {
    "01": ("971",), "02": ("972",), "03": ("973",), "04": ("974",), "06": ("976",),
    "11": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "21": ("08", "10", "51", "52"), "22": ("02", "60", "80"), "23": ("27", "76"),
    "24": ("18", "28", "36", "37", "41", "45"), "25": ("14", "50", "61"), "26": ("21", "58", "71", "89"),
    "31": ("59", "62"), "41": ("54", "55", "57", "88"), "42": ("67", "68"), "43": ("25", "39", "70", "90"),
    "52": ("44", "49", "53", "72", "85"), "53": ("22", "29", "35", "56"), "54": ("16", "17", "79", "86"),
    "72": ("24", "33", "40", "47", "64"), "73": ("09", "12", "31", "32", "46", "65", "81", "82"),
    "74": ("19", "23", "87"), "82": ("01", "07", "26", "38", "42", "69", "73", "74"),
    "83": ("03", "15", "43", "63"), "91": ("11", "30", "34", "48", "66"),
    "93": ("04", "05", "06", "13", "83", "84"), "94": ("2A", "2B"),
}
REGION_DU_DEPARTEMENT = {d: r for r, deps in DEPARTEMENTS_PAR_REGION.items() for d in deps}


def code_region(national: bool = False) -> Choix:
    """INSEE region code of the pre-2016 map; `national` also accepts « FR » (the national line)."""
    codes = (*DEPARTEMENTS_PAR_REGION, "FR") if national else tuple(DEPARTEMENTS_PAR_REGION)
    return Choix(codes, motif="code région inconnu (carte d'avant 2016)", zero_perdu=True)


def code_departement() -> Choix:
    return Choix(sorted(REGION_DU_DEPARTEMENT), motif="code département inconnu", zero_perdu=True)
