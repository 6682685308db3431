"""Declarative column specs and the validation of a whole read file against them.

Every error is collected (line, column, raw value, French reason); the work is done per distinct value of each
column with pandas string methods, and error objects are built for the failing lines only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from pacte.lecture.valeurs import TypeValeur, sans_accents

MOTIF_VIDE = "valeur obligatoire manquante"


def normaliser_entete(nom: str) -> str:
    """« Date de Signature » → « date_de_signature »: case, accents, surrounding spaces ignored;
    runs of spaces, hyphens, dots and underscores inside count as one underscore."""
    return re.sub(r"[\s_\-.'’]+", "_", sans_accents(str(nom)).strip()).strip("_")


@dataclass(frozen=True)
class Colonne:
    """One column of an import format.

    requis: the column must be in the header (else one error on line 1).
    vide: an empty cell is allowed (its value is NA, or `defaut`); else « valeur obligatoire manquante ».
    defaut: raw text used for an empty cell or a missing optional column (« AUCUN »), checked like a value.
    alias: other accepted header names.
    """

    nom: str
    type: TypeValeur
    requis: bool = True
    vide: bool = False
    defaut: str | None = None
    alias: tuple[str, ...] = ()

    @property
    def vide_permis(self) -> bool:
        return self.vide or self.defaut is not None


@dataclass(frozen=True)
class Regle:
    """A rule across columns. `enfreinte(donnees)` gets the typed data (invalid cells are NA) and returns the
    mask of the offending lines; each is reported on `colonne`, unless that cell already has an error."""

    colonne: str
    motif: str
    enfreinte: Callable[[pd.DataFrame], pd.Series]


def valeur_connue(colonne: str, connues: Iterable, motif: str) -> Regle:
    """Rule « the value exists in the referential » (SIREN in organismes), for the write layer to add once it
    has queried the known values: `valider(df, PRETS.avec_regles(valeur_connue("siren", sirens, "…")))`."""
    connues = frozenset(connues)
    return Regle(colonne, motif, lambda d: d[colonne].notna() & ~d[colonne].isin(connues))


@dataclass(frozen=True)
class Format:
    """An import format: its columns, the key that identifies a line (duplicates refused), cross-column rules."""

    nom: str
    colonnes: tuple[Colonne, ...]
    cles: tuple[str, ...] = ()
    regles: tuple[Regle, ...] = ()

    def __post_init__(self):
        if not self.colonnes:
            raise ValueError(f"Format {self.nom} : aucune colonne.")
        noms = [c.nom for c in self.colonnes]
        entetes = [normaliser_entete(n) for c in self.colonnes for n in (c.nom, *c.alias)]
        if len(set(entetes)) != len(entetes):
            raise ValueError(f"Format {self.nom} : deux colonnes ont le même en-tête normalisé.")
        inconnues = {*self.cles, *(r.colonne for r in self.regles)} - set(noms)
        if inconnues:
            raise ValueError(f"Format {self.nom} : clé ou règle sur une colonne inconnue {sorted(inconnues)}.")
        for colonne in self.colonnes:
            _verifier_defaut(colonne)

    def colonne(self, nom: str) -> Colonne:
        return next(c for c in self.colonnes if c.nom == nom)

    def avec_regles(self, *regles: Regle) -> Format:
        return dataclasses.replace(self, regles=(*self.regles, *regles))


def _verifier_defaut(colonne: Colonne) -> None:
    """A default that its own type refuses would fail every empty cell: refuse it when the format is declared."""
    if colonne.defaut is not None:
        _, motifs = colonne.type.analyser(pd.Series([colonne.defaut], dtype=str))
        if motifs.notna().any():
            raise ValueError(f"Colonne {colonne.nom} : défaut {colonne.defaut!r} invalide ({motifs.iloc[0]}).")


class Erreur(NamedTuple):
    """One refused value. `ligne` is the line the user sees: the header is line 1, the first data line 2.
    A named tuple: a file of wrong format gives a million of them, and a tuple is built ten times faster."""

    ligne: int
    colonne: str
    valeur: str
    motif: str


@dataclass
class Resultat:
    """Validation outcome.

    donnees: one row per non-empty line, index = line number, one column per format column, in format order;
    SIREN, texts, choices and codes as str, amounts as exact text « 1234.50 », dates as « 2013-05-17 »,
    integers and years as Int64, booleans as boolean; NA for empty or invalid cells. Ready for COPY
    (`donnees.to_csv(header=False, index=False)`: NA is written as the unquoted empty string PostgreSQL reads
    as NULL) or for `lignes()` on small files.
    """

    format: Format
    donnees: pd.DataFrame
    erreurs: list[Erreur]
    colonnes_ignorees: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.erreurs

    def lignes(self) -> list[dict]:
        """The data as dicts of Python values (Decimal, date, int, bool, str, None): for small files."""
        types = [(c.nom, c.type) for c in self.format.colonnes]
        return [
            {nom: None if pd.isna(v) else t.en_python(v) for (nom, t), v in zip(types, rangee, strict=True)}
            for rangee in self.donnees.itertuples(index=False, name=None)
        ]

    def rapport(self, limite: int | None = 200) -> str:
        from pacte.lecture.rapport import rapport_resultat

        return rapport_resultat(self, limite=limite)


@dataclass
class _Analyse:
    """One column checked: typed values, empty mask, and the positions and reasons of its errors."""

    valeurs: pd.Series
    vide: np.ndarray
    fautes: np.ndarray
    motifs: np.ndarray


def _analyser_colonne(brut: pd.Series, colonne: Colonne) -> _Analyse:
    """Check each distinct value once, then spread the results over the lines through the factorize codes."""
    brut = brut.fillna("") if brut.hasnans else brut
    if colonne.type.factoriser:
        codes, distinctes = pd.factorize(brut)
    else:
        codes, distinctes = np.arange(len(brut)), brut
    distinctes = pd.Series(distinctes, dtype=str).str.strip().reset_index(drop=True)
    vide = (distinctes == "").to_numpy()
    valeurs, motifs = colonne.type.analyser(distinctes[~vide]) if (~vide).any() else _rien(colonne.type)
    valeurs = valeurs.reindex(distinctes.index)
    motifs = motifs.reindex(distinctes.index).to_numpy(dtype=object, copy=True)
    if colonne.defaut is not None:
        valeurs[vide] = colonne.type.analyser(pd.Series([colonne.defaut], dtype=str))[0].iloc[0]
    elif not colonne.vide:
        motifs[vide] = MOTIF_VIDE
    en_faute = np.flatnonzero(pd.notna(motifs))
    fautes = np.flatnonzero(np.isin(codes, en_faute))
    return _Analyse(pd.Series(valeurs.array.take(codes)), vide[codes], fautes, motifs[codes[fautes]])


def _rien(type_valeur: TypeValeur) -> tuple[pd.Series, pd.Series]:
    """What a type returns for no value, with the dtype it would give (Int64, boolean…)."""
    return type_valeur.analyser(pd.Series(["0"], dtype=str))[0].iloc[:0], pd.Series([], dtype=object)


def _absente(nombre: int) -> pd.Series:
    """The raw column of a column missing from the file: empty cells (its default will apply)."""
    return pd.Series([""] * nombre, dtype=str)


def _associer_entetes(entetes: Sequence, fmt: Format) -> tuple[dict[str, int], list[str], list[Erreur]]:
    """Match header names to format columns: positions of the found columns, ignored names, header errors."""
    attendues = {normaliser_entete(n): c for c in fmt.colonnes for n in (c.nom, *c.alias)}
    positions, ignorees, erreurs = {}, [], []
    for position, entete in enumerate(entetes):
        colonne = attendues.get(normaliser_entete(entete))
        if colonne is None:
            if str(entete).strip():
                ignorees.append(str(entete))
        elif colonne.nom in positions:
            erreurs.append(Erreur(1, colonne.nom, str(entete), "colonne en double dans l'en-tête"))
        else:
            positions[colonne.nom] = position
    erreurs += [
        Erreur(1, c.nom, "", "colonne obligatoire absente de l'en-tête")
        for c in fmt.colonnes
        if c.requis and c.nom not in positions
    ]
    return positions, ignorees, erreurs


def numeros_de_ligne(df: pd.DataFrame) -> np.ndarray:
    """Line numbers: the index lire_fichier sets (named « ligne »), else line 2 for the first row."""
    if df.index.name == "ligne":
        return df.index.to_numpy(dtype=np.int64)
    return np.arange(2, len(df) + 2, dtype=np.int64)


def _en_format(colonnes: Format | Sequence[Colonne]) -> Format:
    return colonnes if isinstance(colonnes, Format) else Format("import", tuple(colonnes))


def valider(df: pd.DataFrame, colonnes: Format | Sequence[Colonne]) -> Resultat:
    """Check a file read by lire_fichier against a format; return typed data and every error.

    Lines empty in every column of the format are skipped (trailing rows of a spreadsheet). Errors are
    sorted by line, then in the format's column order; header errors are on line 1.
    """
    fmt = _en_format(colonnes)
    lignes = numeros_de_ligne(df)
    positions, ignorees, erreurs_entete = _associer_entetes(list(df.columns), fmt)
    bruts = {
        c.nom: df.iloc[:, positions[c.nom]].reset_index(drop=True) if c.nom in positions else _absente(len(df))
        for c in fmt.colonnes
    }
    # A missing column is reported once on the header line, not once per line: its cells count as allowed empty.
    analyses = {
        c.nom: _analyser_colonne(bruts[c.nom], c if c.nom in positions else dataclasses.replace(c, vide=True))
        for c in fmt.colonnes
    }
    gardees = ~np.logical_and.reduce([a.vide for a in analyses.values()])
    donnees = pd.DataFrame({nom: a.valeurs for nom, a in analyses.items()})[gardees]
    donnees = donnees.set_axis(pd.Index(lignes[gardees], name="ligne"), axis=0)
    rang = {c.nom: i for i, c in enumerate(fmt.colonnes)}
    cellules, cles = _erreurs_cellules(analyses, bruts, lignes, gardees, rang)
    autres = erreurs_entete + _erreurs_regles(fmt, donnees, bruts, np.flatnonzero(gardees), analyses)
    autres += _erreurs_cles(fmt, donnees)
    return Resultat(fmt, donnees, _fusionner(cellules, cles, autres, rang), ignorees)


def _cle_de_tri(ligne, rang_colonne, rang: dict) -> int:
    """Errors are sorted by line, then in the format's column order: one integer says both."""
    return ligne * (len(rang) + 1) + rang_colonne


def _erreurs_cellules(analyses, bruts, lignes, gardees, rang) -> tuple[list[Erreur], np.ndarray]:
    """Errors of the cells, sorted, and their sort keys; built from arrays, a million of them in a second."""
    lots = []
    for nom, analyse in analyses.items():
        fautes = gardees[analyse.fautes]  # an empty line is skipped, not an error
        positions = analyse.fautes[fautes]
        valeurs = bruts[nom].to_numpy(dtype=object)[positions]
        lots.append((lignes[positions], rang[nom], nom, valeurs, analyse.motifs[fautes]))
    if not lots:
        return [], np.zeros(0, dtype=np.int64)
    cles = np.concatenate([_cle_de_tri(lot[0], lot[1], rang) for lot in lots])
    colonnes = np.concatenate([np.full(len(lot[0]), lot[2], dtype=object) for lot in lots])
    tri = np.argsort(cles, kind="stable")
    champs = [np.concatenate([lot[i] for lot in lots])[tri] for i in (0, 3, 4)]
    with _sans_ramasse_miettes():
        erreurs = list(map(Erreur._make, zip(champs[0].tolist(), colonnes[tri], champs[1], champs[2], strict=True)))
    return erreurs, cles[tri]


@contextlib.contextmanager
def _sans_ramasse_miettes():
    """Pause the cyclic garbage collector while a million tuples are built: each allocation burst would start a
    full collection over every live object (measured: 4.4 s with it, 0.9 s without). Tuples hold no cycle."""
    actif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if actif:
            gc.enable()


def _fusionner(cellules: list[Erreur], cles: np.ndarray, autres: list[Erreur], rang: dict) -> list[Erreur]:
    """Insert the few header, rule and key errors among the sorted cell errors, in one pass."""
    def cle(erreur):
        return _cle_de_tri(erreur.ligne, rang.get(erreur.colonne.split(",")[0], 0), rang)

    autres = sorted(autres, key=cle)
    places = np.searchsorted(cles, [cle(e) for e in autres], side="right").tolist()
    resultat, debut = [], 0
    for place, erreur in zip(places, autres, strict=True):
        resultat += cellules[debut:place]
        resultat.append(erreur)
        debut = place
    return resultat + cellules[debut:]


def _erreurs_regles(fmt, donnees, bruts, positions, analyses) -> list[Erreur]:
    """Errors of the cross-column rules; `positions` are the rows of `donnees` in the raw columns. A cell that
    already has an error gets no second one from a rule."""
    erreurs = []
    for regle in fmt.regles:
        masque = regle.enfreinte(donnees).fillna(False).to_numpy(dtype=bool)
        masque = masque & ~np.isin(positions, analyses[regle.colonne].fautes)
        brut = bruts[regle.colonne].to_numpy(dtype=object)
        erreurs += [
            Erreur(ligne, regle.colonne, brut[position], regle.motif)
            for ligne, position in zip(donnees.index[masque].tolist(), positions[masque].tolist(), strict=True)
        ]
    return erreurs


def _erreurs_cles(fmt, donnees) -> list[Erreur]:
    """Two lines with the same key: the second and later ones are errors naming the first one's line."""
    if not fmt.cles:
        return []
    cles = donnees[list(fmt.cles)]
    doubles = cles[cles.notna().all(axis=1) & cles.duplicated(keep=False)]
    premiere, erreurs = {}, []
    colonne = ", ".join(fmt.cles)
    for ligne, cle in zip(doubles.index.tolist(), doubles.itertuples(index=False, name=None), strict=True):
        if cle in premiere:
            motif = f"clé en double : même {colonne} qu'à la ligne {premiere[cle]}"
            erreurs.append(Erreur(ligne, colonne, " / ".join(map(str, cle)), motif))
        else:
            premiere[cle] = ligne
    return erreurs


# --- A file in pieces --------------------------------------------------------------------------------------------


SEPARATEUR_CLE = "\x1f"  # joins the columns of a composite key; a cell never holds it (a control character)


@dataclass
class ResultatMorceaux:
    """What valider_morceaux says of a file whose typed lines went, piece by piece, to its `traiter`.

    nb_lignes: lines kept (not empty); apercu: the first of them, typed as in Resultat.donnees."""

    format: Format
    erreurs: list[Erreur]
    colonnes_ignorees: list[str]
    nb_lignes: int
    apercu: pd.DataFrame

    @property
    def ok(self) -> bool:
        return not self.erreurs

    def lignes_apercu(self) -> list[dict]:
        return Resultat(self.format, self.apercu, []).lignes()


def valider_morceaux(
    morceaux: Iterable[pd.DataFrame], colonnes: Format | Sequence[Colonne],
    traiter: Callable[[pd.DataFrame], object], *, apercu: int = 20,
) -> ResultatMorceaux:
    """valider() over a file read in pieces (lire_morceaux), in constant memory: each piece is checked, its typed
    lines handed to `traiter` and dropped. The errors are those valider() gives on the whole file, in the same
    order: the header's once, and duplicate keys across pieces (the keys alone are kept, as compact strings)."""
    fmt = _en_format(colonnes)
    sans_cles = dataclasses.replace(fmt, cles=())
    erreurs, ignorees, cles, numeros, nombre, debut = [], None, [], [], 0, None
    for morceau in morceaux:
        resultat = valider(morceau, sans_cles)
        entete = ignorees is None
        ignorees = resultat.colonnes_ignorees if entete else ignorees
        erreurs += resultat.erreurs if entete else [e for e in resultat.erreurs if e.ligne != 1]
        donnees = resultat.donnees
        if fmt.cles and len(donnees):
            cle, ligne = _cles_compactes(donnees, fmt.cles)
            cles.append(cle)
            numeros.append(ligne)
        debut = donnees.head(apercu) if debut is None else pd.concat([debut, donnees.head(apercu - len(debut))])
        nombre += len(donnees)
        if len(donnees):
            traiter(donnees)
        del resultat, donnees
    doublons = _doublons(np.concatenate(cles), np.concatenate(numeros), fmt.cles) if cles else []
    if doublons:
        rang = {c.nom: i for i, c in enumerate(fmt.colonnes)}
        erreurs = sorted(erreurs + doublons,
                         key=lambda e: _cle_de_tri(e.ligne, rang.get(e.colonne.split(",")[0], 0), rang))
    return ResultatMorceaux(fmt, erreurs, ignorees or [], nombre, debut)


def _cles_compactes(donnees: pd.DataFrame, noms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The complete keys of the lines as numpy variable-width strings (16 bytes each for a short key, against
    about 60 for a Python str), with their line numbers."""
    cles = donnees[list(noms)]
    completes = cles.notna().all(axis=1).to_numpy()
    textes = cles[completes].astype(str)
    joint = textes.iloc[:, 0] if len(noms) == 1 else textes.agg(SEPARATEUR_CLE.join, axis=1)
    return (np.array(joint.tolist(), dtype=np.dtypes.StringDType()),
            donnees.index.to_numpy(dtype=np.int64)[completes])


def _doublons(cles: np.ndarray, numeros: np.ndarray, noms: Sequence[str]) -> list[Erreur]:
    """Lines whose key an earlier line has, each naming that first line (as _erreurs_cles)."""
    ordre = np.argsort(cles, kind="stable")  # equal keys stay in line order
    triees = cles[ordre]
    nouvelle = np.concatenate(([True], triees[1:] != triees[:-1]))
    if nouvelle.all():
        return []
    premieres = numeros[ordre][nouvelle][np.cumsum(nouvelle) - 1]
    colonne = ", ".join(noms)
    return [
        Erreur(int(ligne), colonne, str(cle).replace(SEPARATEUR_CLE, " / "),
               f"clé en double : même {colonne} qu'à la ligne {premiere}")
        for ligne, cle, premiere in zip(numeros[ordre][~nouvelle].tolist(), triees[~nouvelle].tolist(),
                                        premieres[~nouvelle].tolist(), strict=True)
    ]
