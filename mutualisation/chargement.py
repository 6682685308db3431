"""From the database to the plain values of mutualisation.calculs (one query per table, no ORM objects).

A run never brings the loans into Python: PostgreSQL aggregates them per concerned organism (exact numeric and
integer arithmetic, the same aggregates as ``calculs.agreger_prets``) and checks their zones; what holds for every
loan whatever the run is kept by PostgreSQL as loans are written: the digests of the inputs' fingerprint
(mutualisation.resumes) and the rule that an operation has one organism and one zone (mutualisation.operations). It
builds the detail an explanation shows of the loans when asked (docs/performances.md, « Calcul »)."""

from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from functools import partial
from threading import Event

from django.db import DatabaseError, connection, transaction

from mutualisation import calculs, resumes
from mutualisation.calculs.donnees import PRODUITS_PLAI, PRODUITS_PLUS, ZONES_1, ZONES_2_3
from mutualisation.models import Ajustement, Bareme, BaseAnnuelle, Pret, Restructuration, ResultatOrganisme
from pacte.models import Organisme

CHAMPS_BAREME = tuple(f.name for f in fields(calculs.Bareme))


def bareme_entree(bareme: Bareme) -> calculs.Bareme:
    return calculs.Bareme(**{nom: getattr(bareme, nom) for nom in CHAMPS_BAREME})


def bareme_de_variante(valeurs: dict) -> calculs.Bareme:
    """A barème variant's stored values (strings, docs/simulation.md) as the calculation's barème."""
    entiers = ("annee", "plafond_restructuration")
    return calculs.Bareme(**{nom: int(valeurs[nom]) if nom in entiers else Decimal(str(valeurs[nom]))
                             for nom in CHAMPS_BAREME})


ORGANISMES_SQL = f"""
SELECT o.siren, o.raison_sociale, o.famille, o.metropole, b.patrimoine_locatif, b.loyers, b.logements,
       b.cotisation_cglls, b.plan_cglls
FROM {Organisme._meta.db_table} o
LEFT JOIN {BaseAnnuelle._meta.db_table} b ON b.organisme_id = o.siren AND b.annee = %s
ORDER BY o.siren
"""  # noqa: S608 - model tables, no user input


def organismes_entree(annee: int) -> list[calculs.OrganismeEntree]:
    """Every organism with its base for the year (an organism without base has no rental stock: not concerned)."""
    with connection.cursor() as curseur:  # one join, read by psycopg: the ORM's row handling cost more than it
        curseur.execute(ORGANISMES_SQL, [annee])  # without a base (no joined row), the entry's defaults apply
        return [calculs.OrganismeEntree(*(ligne if ligne[4] is not None else ligne[:4]))
                for ligne in curseur.fetchall()]


def prets_entree() -> list[calculs.PretEntree]:
    """The whole CDC extract: loans of other years are reported as out of scope, never silently dropped."""
    return [
        calculs.PretEntree(numero, operation or None, siren, produit, signature, montant, logements, zone or None)
        for numero, operation, siren, produit, signature, montant, logements, zone in Pret.objects.values_list(
            "numero_pret", "numero_operation", "organisme_id", "produit", "date_signature", "montant",
            "nb_logements", "zone",
        ).order_by().iterator(chunk_size=20_000)  # streamed: never the rows and the entries in memory at once
    ]


def restructurations_entree(annee: int) -> list[calculs.RestructurationEntree]:
    return [
        calculs.RestructurationEntree(*ligne)
        for ligne in Restructuration.objects.filter(annee=annee).values_list(
            "organisme_id", "annee", "reference", "nb_logements", "zone_detendue"
        )
    ]


def ajustements_entree(annee: int) -> list[calculs.AjustementEntree]:
    return [
        calculs.AjustementEntree(*ligne)
        for ligne in Ajustement.objects.filter(campagne__annee=annee).values_list("organisme_id", "montant", "motif")
    ]


# --- The loans, in SQL ----------------------------------------------------------------------------

TABLE_PRETS = Pret._meta.db_table
TABLE_RESULTATS = ResultatOrganisme._meta.db_table
ANNEE = "date_signature >= %(debut)s AND date_signature < %(fin)s"

# The year's PLUS/PLAI loans of every organism, per organism: logements counted once per operation and family, in
# zone 1/1bis and in zone 2/3; whether one has no valid zone. On this connection (the longest query).
PRODUCTION_SQL = f"""
SELECT siren, sum(CASE WHEN zone = ANY(%(zones_1)s) THEN logements ELSE 0 END)::bigint,
       sum(CASE WHEN zone = ANY(%(zones_2_3)s) THEN logements ELSE 0 END)::bigint,
       sum(prets)::bigint, bool_or(NOT zone = ANY(%(zones)s))
FROM (
    SELECT siren, zone, count(*) AS prets,
           coalesce(max(nb_logements) FILTER (WHERE produit = ANY(%(plus)s)), 0)
           + coalesce(max(nb_logements) FILTER (WHERE produit = ANY(%(plai)s)), 0) AS logements
    FROM {TABLE_PRETS}
    WHERE {ANNEE} AND produit = ANY(%(production)s)
    GROUP BY siren, numero_operation, CASE WHEN numero_operation = '' THEN numero_pret END, zone
) operations
GROUP BY siren
"""  # noqa: S608 - module constants and table names, no user input

# The year's rehabilitation loans, per organism: their base and count. On the other connection, in the same snapshot.
REHABILITATION_SQL = f"""
SELECT siren, sum(montant), count(*) FROM {TABLE_PRETS}
WHERE {ANNEE} AND produit = ANY(%(rehabilitation)s)
GROUP BY siren
"""  # noqa: S608 - module constants and table names, no user input

SANS_ZONE_SQL = f"""
SELECT numero_pret FROM {TABLE_PRETS}
WHERE {ANNEE} AND siren = ANY(%(concernes)s) AND produit = ANY(%(production)s) AND NOT zone = ANY(%(zones)s)
ORDER BY numero_pret COLLATE "C"
"""  # noqa: S608 - module constants and table names, no user input

def texte_resume(nombre: int, empreinte: int) -> str:
    """The text of a digest, as the run stores it (the extract's in its fingerprint, an organism's in its
    explanation)."""
    return f"{nombre}|{empreinte}"


@dataclass(frozen=True)
class PretsDeLaBase:
    """The loans as a run uses them: per concerned organism, its aggregates; for the whole extract, a count of the
    loans out of scope and a digest for the inputs' fingerprint; per organism, the digest of all its loans (the
    loans its explanation details, chargement.details_prets)."""

    agreges: tuple[calculs.PretsAgreges, ...]
    nb_prets: int
    nb_retenus: int
    resume: str
    resumes: dict[str, str]

    def resume_de(self, siren: str) -> str:
        return self.resumes.get(siren, texte_resume(0, 0))

    @property
    def nb_hors_champ(self) -> int:
        return self.nb_prets - self.nb_retenus


def _parametres(annee: int, **autres) -> dict:
    return {"debut": date(annee, 1, 1), "fin": date(annee + 1, 1, 1), "zones_1": sorted(ZONES_1),
            "zones_2_3": sorted(ZONES_2_3), "zones": sorted(ZONES_1 | ZONES_2_3), "plus": sorted(PRODUITS_PLUS),
            "plai": sorted(PRODUITS_PLAI), "production": sorted(calculs.PRODUITS_PRODUCTION),
            "rehabilitation": sorted(calculs.PRODUITS_REHABILITATION), **autres}


# Memory for each sort or hash of the loans' queries: with PostgreSQL's default (4 MB), their hash tables (a million
# operations at 100 × national scale) spilled to disk and took twice as long (docs/performances.md, « Calcul »).
# Set for these queries only, then reset: the run is one process, and each query uses a few such nodes at most.
MEMOIRE_DE_TRAVAIL = "128MB"

# Side by side, each of the two connections reads without PostgreSQL's parallel workers: with them, the two
# queries and their workers fought over the cores, and a run at ×100 took 17 s instead of 11.7 s on the bench's two
# cores (docs/performances.md, « Calcul : les requêtes des prêts côte à côte »).
SANS_TRAVAILLEURS = ("max_parallel_workers_per_gather", "0")


@contextmanager
def _reglage(nom: str, valeur: str):
    """A setting of this connection for the block, then the server's again. On an error inside a transaction, its
    rollback undoes the SET (and the transaction may be aborted); outside one, a lost connection's own error is the
    one to tell."""
    def remettre():
        with connection.cursor() as curseur:
            curseur.execute(f"RESET {nom}")

    with connection.cursor() as curseur:
        curseur.execute(f"SET {nom} = '{valeur}'")
    try:
        yield
    except Exception:
        if not connection.in_atomic_block:
            with suppress(DatabaseError):
                remettre()
        raise
    remettre()


def _lire(sql: str, parametres: dict | None = None) -> list[tuple]:
    with _reglage("work_mem", MEMOIRE_DE_TRAVAIL), connection.cursor() as curseur:
        curseur.execute(sql, parametres)
        return curseur.fetchall()


def requete(sql: str, parametres: dict | None = None) -> Callable[[], list[tuple]]:
    """A query as a reader's task (lectures_paralleles): its rows, read on whichever connection runs it."""
    return partial(_lire, sql, parametres)


class _LecteurSequentiel:
    """In a transaction (a caller's, or a test's), another connection would not see its uncommitted rows: the
    tasks run on this connection, when their result is asked for, in the transaction's own snapshot."""

    def instantane(self):
        return nullcontext()

    def __call__(self, *taches: Callable) -> list[Callable]:
        return list(taches)


class _LecteurParallele:
    """Tasks (queries, or functions that read) run one after the other on a second connection (so a second
    PostgreSQL process, a second core), each one's result given as soon as it ends, while the caller goes on.
    Inside ``instantane()``, this connection reads in one REPEATABLE READ transaction whose snapshot the other
    adopts (``pg_export_snapshot``): both see the database at the same moment, as a single query would."""

    def __init__(self, pool: ThreadPoolExecutor):
        self.pool, self.partage, self.adoptions = pool, None, []

    @contextmanager
    def instantane(self):
        with transaction.atomic(), connection.cursor() as curseur:
            curseur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            curseur.execute("SELECT pg_export_snapshot()")
            (self.partage,) = curseur.fetchone()
            try:
                yield
            finally:
                for adoption in self.adoptions:  # an exported snapshot lives only as long as its transaction
                    adoption.wait()
                self.partage, self.adoptions = None, []

    def __call__(self, *taches: Callable) -> list[Callable]:
        resultats = [Future() for _ in taches]
        adoption = Event() if self.partage else None
        if adoption is not None:
            self.adoptions.append(adoption)
        self.pool.submit(self._executer_a_part, self.partage, adoption, taches, resultats)
        return [resultat.result for resultat in resultats]

    @staticmethod
    def _executer_a_part(partage: str | None, adoption: Event | None, taches, resultats: list[Future]) -> None:
        """On the worker thread's own connection (Django gives each thread its own), in one transaction, without
        parallel workers."""
        try:
            with transaction.atomic(), connection.cursor() as curseur:
                try:
                    if partage:
                        curseur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                        curseur.execute("SET TRANSACTION SNAPSHOT %s", [partage])
                finally:
                    if adoption is not None:
                        adoption.set()
                curseur.execute(f"SET LOCAL {SANS_TRAVAILLEURS[0]} = '{SANS_TRAVAILLEURS[1]}'")
                for tache, resultat in zip(taches, resultats, strict=True):
                    resultat.set_result(tache())
        except BaseException as erreur:  # noqa: BLE001 - given to whoever waits for the result
            for resultat in resultats:
                if not resultat.done():
                    resultat.set_exception(erreur)


@contextmanager
def lectures_paralleles():
    """Gives a reader: called with tasks (``requete(…)``, or functions that read), it starts them on a second
    connection and returns, for each, how to wait for its result; the caller goes on meanwhile (a run reads the
    production aggregates here while the other inputs, the rehabilitation aggregates and the digests are read there:
    docs/performances.md, « Calcul : les requêtes des prêts côte à côte »). Its ``instantane()`` block makes both
    connections read the same snapshot. In a transaction, the tasks run on this connection instead, when their
    result is asked for. Side by side, neither connection uses parallel workers (SANS_TRAVAILLEURS); the second one
    is closed at the end.

    One second connection, not more: its tasks are partly Python, and two threads busy with Python at once waited
    for each other (the interpreter's lock) longer than a task lasts at national scale."""
    if connection.in_atomic_block:
        yield _LecteurSequentiel()
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prets") as pool, _reglage(*SANS_TRAVAILLEURS):
        try:
            yield _LecteurParallele(pool)
        finally:
            pool.submit(_fermer)


def _fermer() -> None:
    connection.close()  # looked up on the calling thread: the worker's own connection


def _resumes() -> tuple[str, int, dict[str, str]]:
    """The digests kept by the loans' triggers (mutualisation.resumes): the extract's, its count of loans, and each
    organism's, as a run stores them."""
    par_organisme = _lire(resumes.TENUS_SQL)
    nombre, empreinte = sum(ligne[1] for ligne in par_organisme), 0
    for _, _, xor in par_organisme:
        empreinte ^= xor
    return (texte_resume(nombre, empreinte), nombre,
            {siren: texte_resume(n, xor) for siren, n, xor in par_organisme})


@dataclass
class PretsDemandes:
    """The loans' aggregates and digests: rehabilitation then the digests asked on the reader's second connection
    (prets_demander), production read on this one by ``recevoir``."""

    parametres: dict
    production: Callable[[], list[tuple]]
    rehabilitation: Callable[[], list[tuple]]
    resumes: Callable[[], tuple[str, int, dict[str, str]]]

    def recevoir(self, concernes: Callable[[], Collection[str]]) -> PretsDeLaBase:
        """The production aggregates (read now, on this connection), then those of the concerned organisms, given by
        ``concernes`` once known (every organism's loans are aggregated: testing each loan's SIREN against
        thousands of concerned ones in SQL cost more than aggregating the few others), with the digests. Refuses,
        with the calculation's own message, PLUS/PLAI loans of a concerned organism without a valid zone."""
        production = self.production()
        retenus = set(concernes())
        production = {ligne[0]: ligne for ligne in production if ligne[0] in retenus}
        if any(ligne[4] for ligne in production.values()):
            parametres = {**self.parametres, "concernes": sorted(retenus)}
            calculs.refuser_prets([], [numero for (numero,) in _lire(SANS_ZONE_SQL, parametres)])
        base = {siren: (montant, nombre) for siren, montant, nombre in self.rehabilitation() if siren in retenus}
        agreges, nb_retenus = [], 0
        for siren in sorted(production.keys() | base.keys()):
            _, zone_1, zone_2_3, prets_production, _ = production.get(siren, (siren, 0, 0, 0, False))
            montant, prets_rehabilitation = base.get(siren, (Decimal(0), 0))
            agreges.append(calculs.PretsAgreges(siren, zone_1, zone_2_3, montant.quantize(Decimal("0.01"))))
            nb_retenus += prets_production + prets_rehabilitation
        resume, nombre, par_organisme = self.resumes()
        return PretsDeLaBase(tuple(agreges), nombre, nb_retenus, resume, par_organisme)


def prets_demander(annee: int, lecteur) -> PretsDemandes:
    """Starts the rehabilitation aggregates, then the digests, on the second connection of ``lecteur`` (from
    lectures_paralleles); production, the longest, is read on this connection (already open) by ``recevoir``.
    Called inside the reader's ``instantane()``, all of them see the same loans."""
    parametres = _parametres(annee)
    rehabilitation, resumes_ = lecteur(requete(REHABILITATION_SQL, parametres), _resumes)
    return PretsDemandes(parametres, requete(PRODUCTION_SQL, parametres), rehabilitation, resumes_)


def prets_agreges(annee: int, concernes: Collection[str]) -> PretsDeLaBase:
    """The loans of the year's concerned organisms aggregated in PostgreSQL and digested, in one snapshot; refuses,
    with the calculation's own message, PLUS/PLAI loans without a valid zone."""
    with lectures_paralleles() as lecteur, lecteur.instantane():
        return prets_demander(annee, lecteur).recevoir(lambda: concernes)


# --- The loans' detail of an explanation, built by PostgreSQL -----------------------------------------------
# A run stores, in each explanation, everything but the organism's loans, and the digest of those loans (the detail
# of thousands of loans copied at every run cost 80 % of its time, docs/performances.md « Calcul »). The detail is
# built from the loans table when it is shown, as long as the organism's loans still have the run's digest, and
# frozen into the explanation when the run is validated (mutualisation.explications).

_PRET_CHAMPS = """'numero_pret', numero_pret, 'numero_operation', numero_operation, 'produit', produit,
    'date_signature', to_char(date_signature, 'YYYY-MM-DD'), 'montant', montant::text, 'nb_logements', nb_logements,
    'zone', zone"""
_PRET_JSON = f"json_build_object({_PRET_CHAMPS})"
_UNITAIRE = "CASE WHEN zone = ANY(%(zones_1)s) THEN %(unitaire_1)s ELSE %(unitaire_2_3)s END"

# mutualisation.serialisation.explication_json, field for field, in the order of calculs (COLLATE "C" = Python's
# order of str): operations by (number, first loan), loans by number, out-of-scope loans (those of other years and of
# ineligible products) by number. {sirens}: a query giving the organisms (one column, siren).
DETAILS_SQL = f"""
SELECT s.siren, coalesce(o.liste, '[]'::json), coalesce(r.liste, '[]'::json), coalesce(h.liste, '[]'::json),
       coalesce(d.nombre, 0), coalesce(d.xor, 0)
FROM ({{sirens}}) s (siren)
LEFT JOIN (
    SELECT siren, json_agg(json_build_object(
        'numero_operation', numero_operation, 'zone', zone, 'logements_plus', plus, 'logements_plai', plai,
        'montant_unitaire', {_UNITAIRE},
        'aide', ((plus + plai) * ({_UNITAIRE})::numeric)::numeric(15, 2)::text,
        'prets', prets) ORDER BY numero_operation COLLATE "C", premier COLLATE "C") AS liste
    FROM (
        SELECT siren, numero_operation, zone, min(numero_pret COLLATE "C") AS premier,
               coalesce(max(nb_logements) FILTER (WHERE produit = ANY(%(plus)s)), 0) AS plus,
               coalesce(max(nb_logements) FILTER (WHERE produit = ANY(%(plai)s)), 0) AS plai,
               json_agg({_PRET_JSON} ORDER BY numero_pret COLLATE "C") AS prets
        FROM {TABLE_PRETS}
        WHERE {ANNEE} AND produit = ANY(%(production)s) AND siren IN ({{sirens}})
        GROUP BY siren, numero_operation, CASE WHEN numero_operation = '' THEN numero_pret END, zone
    ) operations
    GROUP BY siren
) o ON o.siren = s.siren
LEFT JOIN (
    SELECT siren, json_agg({_PRET_JSON} ORDER BY numero_pret COLLATE "C") AS liste
    FROM {TABLE_PRETS}
    WHERE {ANNEE} AND produit = ANY(%(rehabilitation)s) AND siren IN ({{sirens}})
    GROUP BY siren
) r ON r.siren = s.siren
LEFT JOIN (
    SELECT siren, json_agg(json_build_object('siren', siren, 'motif', motif, 'libelle', libelle, 'type', 'pret',
                                             {_PRET_CHAMPS}) ORDER BY numero_pret COLLATE "C") AS liste
    FROM (SELECT *, CASE WHEN {ANNEE} THEN 'PRODUIT_NON_ELIGIBLE' ELSE 'AUTRE_ANNEE' END AS motif
          FROM {TABLE_PRETS}
          WHERE NOT ({ANNEE} AND produit = ANY(%(aides)s)) AND siren IN ({{sirens}})) p
    JOIN (VALUES ('AUTRE_ANNEE', %(autre_annee)s), ('PRODUIT_NON_ELIGIBLE', %(non_eligible)s)) AS m (code, libelle)
      ON m.code = p.motif
    GROUP BY siren
) h ON h.siren = s.siren
LEFT JOIN (SELECT siren, nombre, empreinte AS xor FROM {resumes.RESUMES}) d ON d.siren = s.siren
"""  # noqa: S608 - module constants and table names, no user input


@dataclass(frozen=True)
class DetailPrets:
    """An organism's loans as its explanation lists them (mutualisation.serialisation's JSON), with their digest."""

    operations_production: list
    prets_rehabilitation: list
    hors_champ: list  # its loans out of scope only; the explanation adds its declarations out of scope after them
    resume: str


def _parametres_details(bareme: calculs.Bareme, **autres) -> dict:
    return _parametres(bareme.annee, unitaire_1=str(bareme.montant_zone_1),
                       unitaire_2_3=str(bareme.montant_zone_2_3), aides=sorted(calculs.PRODUITS_AIDES),
                       autre_annee=calculs.MOTIFS_HORS_CHAMP["AUTRE_ANNEE"],
                       non_eligible=calculs.MOTIFS_HORS_CHAMP["PRODUIT_NON_ELIGIBLE"], **autres)


def details_prets(bareme: calculs.Bareme, sirens: list[str]) -> dict[str, DetailPrets]:
    """The loans' detail of these organisms' explanations under a run's barème, built now from the loans table."""
    if not sirens:
        return {}
    requete = DETAILS_SQL.format(sirens="SELECT unnest(%(sirens)s::varchar[])")
    with connection.cursor() as curseur:
        curseur.execute(requete, _parametres_details(bareme, sirens=sorted(set(sirens))))
        return {siren: DetailPrets(operations, rehabilitation, hors_champ, texte_resume(nombre, xor))
                for siren, operations, rehabilitation, hors_champ, nombre, xor in curseur.fetchall()}


def details_figer(curseur, *, calcul_id: int, bareme: calculs.Bareme) -> int:
    """Write into every explanation of the run the detail of its organism's loans (when the run is validated);
    returns how many explanations no longer match their loans' digest (then nothing must be kept)."""
    sirens = f"SELECT organisme_id FROM {TABLE_RESULTATS} WHERE calcul_id = %(calcul)s"  # noqa: S608 - constants
    curseur.execute(f"""
        UPDATE {TABLE_RESULTATS} t SET explication = t.explication || jsonb_build_object(
            'operations_production', d.operations::jsonb, 'prets_rehabilitation', d.rehabilitation::jsonb,
            'hors_champ', d.hors_champ::jsonb || (t.explication -> 'hors_champ'))
        FROM ({DETAILS_SQL.format(sirens=sirens)}) d (siren, operations, rehabilitation, hors_champ, nombre, xor)
        WHERE t.calcul_id = %(calcul)s AND t.organisme_id = d.siren AND NOT t.explication ? 'operations_production'
        RETURNING t.explication ->> 'resume_prets', d.nombre, d.xor
    """, _parametres_details(bareme, calcul=calcul_id))  # noqa: S608 - module constants and table names
    return sum(stocke != texte_resume(nombre, xor) for stocke, nombre, xor in curseur.fetchall())
