"""The write layer of the imports of formats.md: organismes, bases, prets, restructurations here, and the formats
other apps register with `enregistrer_cible` (suivi: agrements, rehabilitations, objectifs).

A file is read and checked by pacte.lecture (pure, vectorised), with the referentials of the database added as
rules (SIREN known, région known). Then, in ONE short transaction: its clean lines are COPYed into a temporary
table, the checks that need the stored lines run in SQL (operations whose loans disagree, frozen years), and
`INSERT … ON CONFLICT DO UPDATE … WHERE (the line differs)` replaces lines by key while counting what it added and
replaced. The ImportFichier row and the audit event are written in that same transaction; any refusal rolls it
all back, so a file is all-or-nothing. No per-line ORM: 200 000 loans go through in a few seconds.

A file is read and checked in pieces of 100 000 lines (pacte.lecture.lire_morceaux): the clean lines of each piece
are written as COPY text to a spooled temporary file, then the piece is dropped, so that a million-line extract is
never whole in memory; the transaction streams that file into the temporary table.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

import pandas as pd
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg import sql

from mutualisation.enums import StatutCampagne, StatutImport
from mutualisation.models import BaseAnnuelle, Campagne, ImportFichier, Pret, Restructuration
from pacte.lecture import (
    BASES,
    ORGANISMES,
    PRETS,
    RESTRUCTURATIONS,
    Erreur,
    ErreurLecture,
    Format,
    Regle,
    ResultatMorceaux,
    Texte,
    lire_morceaux,
    valeur_connue,
    valider_morceaux,
)
from pacte.lecture.fichier import visible
from pacte.models import Organisme, Region
from pacte.services import evenement_enregistrer

TEMPORAIRE = sql.Identifier("pg_temp", "import_lignes")  # qualified: never a table of the schema
ERREURS_MAX = 10_000  # kept on the ImportFichier row; the message gives the full count
COPIE_EN_MEMOIRE = 16 * 1024 * 1024  # COPY text of a read file past this size goes to a temporary file on disk
BLOC_COPIE = 1024 * 1024
MOTIF_OPERATION = "opération incohérente"
STATUTS_FIGES = (StatutCampagne.VALIDEE, StatutCampagne.NOTIFIEE, StatutCampagne.CLOSE)


class ImportRefuse(Exception):
    """A refused file: French message for the user, every bad line, and what was learnt of the file."""

    def __init__(self, message: str, erreurs: Iterable[Erreur] = (), *, colonnes_ignorees=(), nb_lignes: int = 0):
        super().__init__(message)
        self.erreurs = list(erreurs)
        self.colonnes_ignorees = list(colonnes_ignorees)
        self.nb_lignes = nb_lignes


@dataclass(frozen=True)
class Cible:
    """Where a format lands: its model, and the model field of each file column (the mapping table; a column
    not in `champs` has a field of its own name).

    referentiels: the rules that need the database (« code région known »); None means the mutualisation's
        (SIREN known in organismes).
    derivees: model fields the file does not carry, with their SQL value computed from the file's line `t`
        (the organism of a SIREN when it is known).
    nuls: file values stored as NULL (« FR », the national line, has no region).
    """

    format: Format
    modele: type[models.Model]
    champs: dict[str, str]
    annee: str | None = None  # the file column that gives a line's year (frozen years)
    referentiels: Callable[[], list[Regle]] | None = None
    derivees: dict[str, sql.Composable] = field(default_factory=dict)
    nuls: dict[str, str] = field(default_factory=dict)

    def champ(self, nom: str) -> models.Field:
        return self.modele._meta.get_field(self.champs.get(nom, nom))

    def colonne(self, nom: str) -> str:
        return self.champ(nom).column

    @property
    def noms(self) -> list[str]:
        return [c.nom for c in self.format.colonnes]

    @property
    def valeurs(self) -> list[str]:
        return [nom for nom in self.noms if nom not in self.format.cles]

    @property
    def table(self) -> sql.Identifier:
        return sql.Identifier(self.modele._meta.db_table)


CIBLES = {
    "organismes": Cible(ORGANISMES, Organisme, {"code_region": "region"}),
    "bases": Cible(BASES, BaseAnnuelle, {"siren": "organisme"}, annee="annee"),
    "prets": Cible(PRETS, Pret, {"siren": "organisme"}, annee="date_signature"),
    "restructurations": Cible(RESTRUCTURATIONS, Restructuration, {"siren": "organisme"}, annee="annee"),
}


@dataclass
class Bilan:
    """What the database says of a checked file: its errors, and the lines it adds, replaces or leaves alone."""

    erreurs: list[Erreur] = field(default_factory=list)
    ajoutees: int = 0
    remplacees: int = 0
    inchangees: int = 0


def enregistrer_cible(type_fichier: str, cible_: Cible) -> Cible:
    """Add an app's format to the imports (its type must be a TypeImport)."""
    CIBLES[type_fichier] = cible_
    return cible_


def cible(type_fichier: str) -> Cible:
    try:
        return CIBLES[type_fichier]
    except KeyError:
        raise ValueError(
            f"Type de fichier inconnu : « {type_fichier} » (attendu {', '.join(CIBLES)})."
        ) from None


# --- Reading: pacte.lecture plus the model's limits and the referentials ---------------------------------------


@dataclass
class FichierLu(ResultatMorceaux):
    """A read and checked file: its errors, counts and preview, and its clean lines as COPY text (`copie`)."""

    copie: IO[bytes] | None = None

    def __enter__(self) -> FichierLu:
        return self

    def __exit__(self, *exception) -> None:
        if self.copie is not None:
            self.copie.close()


def lire(cible: Cible, nom_fichier: str, contenu: bytes) -> FichierLu:
    """Read and check a file against its format, the model's limits and the referentials; no write.
    Use it as a context manager: its COPY text is a temporary file, closed at the end."""
    fmt = cible.format.avec_regles(*_regles_modele(cible), *_regles_referentiels(cible))
    copie = tempfile.SpooledTemporaryFile(max_size=COPIE_EN_MEMOIRE)  # noqa: SIM115 - handed to the caller
    try:
        resultat = valider_morceaux(lire_morceaux(contenu, nom_fichier), fmt,
                                    lambda donnees: copie.write(texte_copy(cible, donnees).encode()))
    except ErreurLecture as erreur:
        copie.close()
        raise ImportRefuse(f"Fichier refusé : {erreur} Rien n'a été importé.", erreur.erreurs) from None
    return FichierLu(**vars(resultat), copie=copie)


def _regles_modele(cible: Cible) -> list[Regle]:
    """Limits of the database columns the format does not state (text length, integer range)."""
    regles = []
    for colonne in cible.format.colonnes:
        champ = cible.champ(colonne.nom)
        if isinstance(colonne.type, Texte) and champ.max_length:
            regles.append(_longueur_max(colonne.nom, champ.max_length))
        if isinstance(champ, models.IntegerField):
            _, maximum = connection.ops.integer_field_range(champ.get_internal_type())
            regles.append(_entier_max(colonne.nom, maximum))
    return regles


def _longueur_max(nom: str, longueur: int) -> Regle:
    return Regle(nom, f"texte trop long ({longueur} caractères au plus)", lambda d: d[nom].str.len() > longueur)


def _entier_max(nom: str, maximum: int) -> Regle:
    return Regle(nom, f"nombre trop grand ({maximum} au plus)", lambda d: d[nom] > maximum)


def _regles_referentiels(cible: Cible) -> list[Regle]:
    if cible.referentiels is not None:
        return cible.referentiels()
    if cible.modele is Organisme:
        codes = Region.objects.values_list("code", flat=True)
        return [valeur_connue("code_region", codes, "code région absent du référentiel des régions")]
    sirens = Organisme.objects.values_list("siren", flat=True)
    motif = "SIREN inconnu : organisme absent du référentiel (importez d'abord le fichier des organismes)"
    return [valeur_connue("siren", sirens, motif)]


# --- Duplicates and messages -------------------------------------------------------------------------------------


def doublon(type_fichier: str, empreinte: str, *, sauf: int | None = None) -> ImportFichier | None:
    """The earlier import of the same content, if this file was already imported."""
    precedents = ImportFichier.objects.filter(type_fichier=type_fichier, empreinte=empreinte,
                                              statut=StatutImport.IMPORTE)
    return precedents.exclude(pk=sauf).first()


def message_doublon(precedent: ImportFichier) -> str:
    quand = timezone.localtime(precedent.created_at)
    return (
        f"Fichier déjà importé le {quand:%d/%m/%Y à %H:%M} sous le nom « {precedent.nom_fichier} » "
        f"(import n° {precedent.pk}) : même contenu, rien n'a été modifié."
    )


def message_refus(erreurs: list[Erreur]) -> str:
    lignes = len({e.ligne for e in erreurs})
    message = (
        f"Fichier refusé : {len(erreurs)} erreur(s) sur {lignes} ligne(s). "
        "Rien n'a été importé ; corrigez le fichier et importez-le de nouveau."
    )
    operations = sorted({e.valeur for e in erreurs if e.motif.startswith(MOTIF_OPERATION)})
    if operations:
        message += (
            " Opérations dont les prêts n'ont pas tous le même organisme et la même zone : "
            + ", ".join(operations) + "."
        )
    figees = sorted({e.motif.split(" ", 2)[1] for e in erreurs if e.motif.startswith("année ") and " figée" in e.motif})
    if figees:
        message += (
            f" Année(s) figée(s) : {', '.join(figees)}. Sa campagne est validée : ses données ne peuvent plus changer "
            "(seul un administrateur peut rouvrir l'année, avec un motif écrit)."
        )
    return message


def erreurs_json(erreurs: list[Erreur]) -> list[dict]:
    return [
        {"ligne": int(e.ligne), "colonne": e.colonne, "valeur": visible(str(e.valeur)), "motif": e.motif}
        for e in erreurs[:ERREURS_MAX]
    ]


# --- The database stage ------------------------------------------------------------------------------------------


def verifier(cible: Cible, resultat: FichierLu) -> Bilan:
    """Cross-check a read file against the database and count what it would change; writes nothing."""
    with transaction.atomic(), connection.cursor() as curseur:
        bilan = Bilan(_controler(curseur, cible, resultat))
        if not bilan.erreurs:
            bilan = _compter(curseur, cible, resultat.nb_lignes)
        transaction.set_rollback(True)
    return bilan


def enregistrer(cible: Cible, resultat: FichierLu, fichier: ImportFichier, *, acting_user) -> Bilan:
    """Write a read file in one transaction, with its ImportFichier row and audit event.

    Raises ImportRefuse, and changes nothing, when a line is wrong or the same content was already imported."""
    if resultat.nb_lignes == 0 and resultat.ok:
        raise ImportRefuse("Fichier refusé : il ne contient aucune ligne de données. Rien n'a été importé.",
                           colonnes_ignorees=resultat.colonnes_ignorees)
    with transaction.atomic():
        with connection.cursor() as curseur:
            _verrouiller(curseur, fichier.type_fichier)
            precedent = doublon(fichier.type_fichier, fichier.empreinte, sauf=fichier.pk)
            if precedent:
                raise ImportRefuse(message_doublon(precedent))
            erreurs = _controler(curseur, cible, resultat)
            if erreurs:
                raise ImportRefuse(message_refus(erreurs), erreurs, colonnes_ignorees=resultat.colonnes_ignorees,
                                   nb_lignes=resultat.nb_lignes)
            bilan = _ecrire(curseur, cible, fichier.pk, resultat.nb_lignes)
            curseur.execute(sql.SQL("DROP TABLE {}").format(TEMPORAIRE))
        _terminer(fichier, resultat, bilan, acting_user)
    return bilan


def _verrouiller(curseur, type_fichier: str) -> None:
    """One import of a type at a time: the checks against stored lines stay true until the commit."""
    curseur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"mutualisation.import.{type_fichier}"])


def _terminer(fichier: ImportFichier, resultat: FichierLu, bilan: Bilan, acting_user) -> None:
    fichier.statut = StatutImport.IMPORTE
    fichier.nb_lignes = resultat.nb_lignes
    fichier.nb_ajoutees, fichier.nb_remplacees, fichier.nb_inchangees = (
        bilan.ajoutees, bilan.remplacees, bilan.inchangees)
    fichier.colonnes_ignorees = resultat.colonnes_ignorees
    fichier.erreurs = []
    fichier.message = (
        f"Import terminé : {bilan.ajoutees} ligne(s) ajoutée(s), {bilan.remplacees} remplacée(s), "
        f"{bilan.inchangees} inchangée(s)."
    )
    fichier.save()
    evenement_enregistrer(
        acting_user=acting_user, action="import_fichier", objet=f"{fichier.type_fichier} : {fichier.nom_fichier}"[:120],
        details={"import": fichier.pk, "empreinte": fichier.empreinte, "lignes": fichier.nb_lignes,
                 "ajoutees": bilan.ajoutees, "remplacees": bilan.remplacees, "inchangees": bilan.inchangees},
    )


def _controler(curseur, cible: Cible, resultat: FichierLu) -> list[Erreur]:
    """Load the lines into the temporary table and add the errors only stored lines can reveal."""
    _charger(curseur, cible, resultat.copie)
    erreurs = list(resultat.erreurs)
    if cible.modele is Pret:
        erreurs += _operations_incoherentes(curseur, cible)
    erreurs += _annees_figees(curseur, cible)
    if len(erreurs) == len(resultat.erreurs):
        return erreurs
    rang = {nom: i for i, nom in enumerate(cible.noms)}
    return sorted(erreurs, key=lambda e: (e.ligne, rang.get(e.colonne.split(",")[0], -1)))


# --- COPY into the temporary table -------------------------------------------------------------------------------


def _type_sql(champ: models.Field) -> str:
    """The temporary column's type: like the model's, but wide enough that COPY never fails (checked later)."""
    champ = champ.target_field if champ.is_relation else champ
    if isinstance(champ, models.IntegerField):
        return "bigint"
    if isinstance(champ, models.DecimalField):
        return f"numeric({champ.max_digits}, {champ.decimal_places})"
    return {models.DateField: "date", models.BooleanField: "boolean"}.get(type(champ), "text")


def _charger(curseur, cible: Cible, copie: IO[bytes]) -> None:
    colonnes = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(nom), sql.SQL(_type_sql(cible.champ(nom)))) for nom in cible.noms
    )
    curseur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(TEMPORAIRE))
    curseur.execute(sql.SQL("CREATE TEMPORARY TABLE {} (ligne integer, {}) ON COMMIT DROP").format(
        TEMPORAIRE, colonnes))
    requete = sql.SQL("COPY {} (ligne, {}) FROM STDIN").format(TEMPORAIRE, _identifiants(cible.noms))
    copie.seek(0)
    with curseur.copy(requete) as flux:
        while bloc := copie.read(BLOC_COPIE):
            flux.write(bloc)


def texte_copy(cible: Cible, donnees: pd.DataFrame) -> str:
    """Lines in PostgreSQL's COPY text format (tab-separated, \\N for NULL), the line number first."""
    for nom, valeur in cible.nuls.items():
        donnees = donnees.assign(**{nom: donnees[nom].mask(donnees[nom] == valeur)})
    colonnes = [list(map(str, donnees.index.tolist()))]
    colonnes += [_textes(donnees[c.nom], isinstance(c.type, Texte), _vide(cible.champ(c.nom)))
                 for c in cible.format.colonnes]
    return "".join(ligne + "\n" for ligne in map("\t".join, zip(*colonnes, strict=True)))


def _vide(champ: models.Field) -> str:
    """An empty cell: the empty string for a text column stored NOT NULL (zone, code commune), else NULL."""
    if champ.null:
        return "\\N"
    champ = champ.target_field if champ.is_relation else champ
    return "" if isinstance(champ, models.CharField) and not champ.null else "\\N"


def _textes(serie: pd.Series, texte_libre: bool, vide: str) -> list[str]:
    if serie.dtype == "boolean":
        serie = serie.astype(object).map({True: "t", False: "f"})
    elif serie.dtype == "Int64":
        serie = serie.astype(str).where(serie.notna())
    elif texte_libre and serie.str.contains(r"[\\\t\n\r]", regex=True).any():
        for caractere, echappe in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
            serie = serie.str.replace(caractere, echappe, regex=False)
    return serie.astype(object).where(serie.notna(), vide).tolist()


def _identifiants(noms: Iterable[str], prefixe: str | None = None) -> sql.Composed:
    if prefixe is None:
        return sql.SQL(", ").join(map(sql.Identifier, noms))
    return sql.SQL(", ").join(sql.Identifier(prefixe, nom) for nom in noms)


# --- Checks against stored lines ---------------------------------------------------------------------------------


OPERATIONS = """
WITH lignes AS (
    SELECT numero_operation AS operation, NULLIF(siren, '') AS siren, NULLIF(zone, '') AS zone,
           NULL::text AS en_base
    FROM {tmp} WHERE numero_operation <> ''
  UNION ALL
    SELECT p.numero_operation, p.siren, NULLIF(p.zone, ''), p.numero_pret
    FROM {pret} p
    WHERE p.numero_operation IN (SELECT numero_operation FROM {tmp} WHERE numero_operation <> '')
      AND NOT EXISTS (SELECT FROM {tmp} t WHERE t.numero_pret = p.numero_pret)
), incoherentes AS (
    SELECT operation,
           array_agg(DISTINCT siren) FILTER (WHERE siren IS NOT NULL) AS sirens,
           array_agg(DISTINCT zone) FILTER (WHERE zone IS NOT NULL) AS zones,
           array_agg(en_base ORDER BY en_base) FILTER (WHERE en_base IS NOT NULL) AS en_base
    FROM lignes GROUP BY operation
    HAVING count(DISTINCT siren) > 1 OR count(DISTINCT zone) > 1
)
SELECT t.ligne, i.operation, i.sirens, i.zones, i.en_base[1:5], coalesce(cardinality(i.en_base), 0)
FROM {tmp} t JOIN incoherentes i ON i.operation = t.numero_operation
ORDER BY t.ligne
"""


def _operations_incoherentes(curseur, cible: Cible) -> list[Erreur]:
    """Lines of operations whose loans, in the file and already stored, disagree on organism or zone (domain §3).

    A stored loan that the file replaces (same numero_pret) is judged by its new line only."""
    curseur.execute(sql.SQL(OPERATIONS).format(tmp=TEMPORAIRE, pret=cible.table))
    return [
        Erreur(ligne, "numero_operation", operation, _motif_operation(sirens, zones, en_base, nombre))
        for ligne, operation, sirens, zones, en_base, nombre in curseur.fetchall()
    ]


def _motif_operation(sirens: list, zones: list | None, en_base: list | None, nombre: int) -> str:
    motif = (
        f"{MOTIF_OPERATION} : ses prêts n'ont pas tous le même SIREN et la même zone "
        f"(SIREN {', '.join(sirens)} ; zones {', '.join(zones or []) or 'aucune'}"
    )
    if nombre:
        suite = " …" if nombre > len(en_base) else ""
        motif += f" ; prêts déjà importés de l'opération : {', '.join(en_base)}{suite}"
    return motif + ")"


def _jointure(cible: Cible, fichier: str = "t", base: str = "c") -> sql.Composable:
    """Stored line `c` and file line `t` have the same key; a nullable key column (the national line's region)
    compares NULLs as equal, the others keep `=` so the join uses the index."""
    return sql.SQL(" AND ").join(
        sql.SQL("{} IS NOT DISTINCT FROM {}" if cible.champ(nom).null else "{} = {}").format(
            sql.Identifier(base, cible.colonne(nom)), sql.Identifier(fichier, nom))
        for nom in cible.format.cles
    )


def _differente(gauche: sql.Composable, droite: sql.Composable) -> sql.Composable:
    """`(stored values) IS DISTINCT FROM (new values)`: a line is replaced only when it changes."""
    return sql.SQL("({}) IS DISTINCT FROM ({})").format(gauche, droite)


def _changee(cible: Cible) -> sql.Composable:
    """The stored line `c` differs from the file's line `t` (same key), derived columns included."""
    stockees = [sql.Identifier("c", cible.colonne(nom)) for nom in cible.valeurs]
    stockees += [sql.Identifier("c", _colonne_modele(cible, nom)) for nom in cible.derivees]
    nouvelles = [sql.Identifier("t", nom) for nom in cible.valeurs] + list(cible.derivees.values())
    return _differente(sql.SQL(", ").join(stockees), sql.SQL(", ").join(nouvelles))


def _colonne_modele(cible: Cible, champ: str) -> str:
    return cible.modele._meta.get_field(champ).column


def _cle_absente(cible: Cible) -> sql.Composable:
    return sql.SQL("{} IS NULL").format(sql.Identifier("c", cible.colonne(cible.format.cles[0])))


ANNEES_FIGEES = """
SELECT t.ligne, {annee_t}, {annee_c}
FROM {tmp} t LEFT JOIN {table} c ON {jointure}
WHERE ({absente} OR {differente}) AND ({annee_t} = ANY(%(figees)s) OR {annee_c} = ANY(%(figees)s))
ORDER BY t.ligne
"""


def _annees_figees(curseur, cible: Cible) -> list[Erreur]:
    """Lines that would add or change data of a year whose campaign is validated (its inputs are frozen)."""
    figees = dict(Campagne.objects.filter(statut__in=STATUTS_FIGES).values_list("annee", "statut"))
    if cible.annee is None or not figees:
        return []
    requete = sql.SQL(ANNEES_FIGEES).format(
        tmp=TEMPORAIRE, table=cible.table, jointure=_jointure(cible), absente=_cle_absente(cible),
        differente=_changee(cible),
        annee_t=_annee(cible, sql.Identifier("t", cible.annee)),
        annee_c=_annee(cible, sql.Identifier("c", cible.colonne(cible.annee))),
    )
    curseur.execute(requete, {"figees": list(figees)})
    erreurs = []
    for ligne, nouvelle, ancienne in curseur.fetchall():
        annee = nouvelle if nouvelle in figees else ancienne
        statut = StatutCampagne(figees[annee]).label.lower()
        motif = f"année {annee} figée : sa campagne est {statut}, ses données ne peuvent plus changer"
        erreurs.append(Erreur(ligne, cible.annee, str(nouvelle), motif))
    return erreurs


def _annee(cible: Cible, colonne: sql.Identifier) -> sql.Composable:
    if isinstance(cible.champ(cible.annee), models.DateField):
        return sql.SQL("extract(year FROM {})::integer").format(colonne)
    return colonne


# --- Counting and writing ----------------------------------------------------------------------------------------


COMPTER = """
SELECT count(*) FILTER (WHERE {absente}), count(*) FILTER (WHERE NOT {absente} AND {differente})
FROM {tmp} t LEFT JOIN {table} c ON {jointure}
"""


def _compter(curseur, cible: Cible, total: int) -> Bilan:
    curseur.execute(sql.SQL(COMPTER).format(
        tmp=TEMPORAIRE, table=cible.table, jointure=_jointure(cible), absente=_cle_absente(cible),
        differente=_changee(cible),
    ))
    ajoutees, remplacees = curseur.fetchone()
    return Bilan([], ajoutees, remplacees, total - ajoutees - remplacees)


ECRIRE = """
WITH ecrites AS (
    INSERT INTO {table} AS c ({colonnes})
    SELECT {valeurs} FROM {tmp} t
    ON CONFLICT ({cle}) DO UPDATE SET {mises_a_jour}
    WHERE {differente}
    RETURNING (xmax = 0) AS ajoutee
)
SELECT count(*) FILTER (WHERE ajoutee), count(*) FILTER (WHERE NOT ajoutee) FROM ecrites
"""


def _ecrire(curseur, cible: Cible, import_id: int, total: int) -> Bilan:
    """Insert new lines, replace changed ones (same key), leave identical ones untouched; count each kind."""
    ajout, mise_a_jour = _colonnes_extra(cible)
    ajout = {_colonne_modele(cible, nom): valeur for nom, valeur in cible.derivees.items()} | ajout
    colonnes_valeurs = [cible.colonne(nom) for nom in cible.valeurs]
    colonnes_valeurs += [_colonne_modele(cible, nom) for nom in cible.derivees]
    colonnes = [cible.colonne(nom) for nom in cible.noms]
    valeurs = [sql.Identifier(nom) for nom in cible.noms]
    curseur.execute(sql.SQL(ECRIRE).format(
        table=cible.table, tmp=TEMPORAIRE,
        colonnes=_identifiants([*colonnes, *ajout]), valeurs=sql.SQL(", ").join([*valeurs, *ajout.values()]),
        cle=_identifiants(cible.colonne(nom) for nom in cible.format.cles),
        mises_a_jour=sql.SQL(", ").join(
            sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in [*colonnes_valeurs, *mise_a_jour]
        ),
        differente=_differente(_identifiants(colonnes_valeurs, "c"),
                               _identifiants(colonnes_valeurs, "excluded")),
    ), {"import": import_id})
    ajoutees, remplacees = curseur.fetchone()
    return Bilan([], ajoutees, remplacees, total - ajoutees - remplacees)


def _colonnes_extra(cible: Cible) -> tuple[dict[str, sql.Composable], list[str]]:
    """Columns the file does not carry, with their value on insert, and those an update rewrites:
    the import that last wrote the line, the timestamps."""
    noms = {f.name: f.column for f in cible.modele._meta.concrete_fields}
    valeurs = {"import_source": sql.SQL("%(import)s"), "created_at": sql.SQL("now()"),
               "updated_at": sql.SQL("now()")}
    ajout = {noms[nom]: valeur for nom, valeur in valeurs.items() if nom in noms}
    return ajout, [colonne for colonne in ajout if colonne != "created_at"]
