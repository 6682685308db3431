"""The kinds of long work the worker knows, each a function taking the job row and returning a JSON result.

Below them, what survives a worker's death (docs/pannes.md): a row run by the worker (a ``Travail``, a ``Calcul``)
says « en cours » only while the PostgreSQL session of the process running it holds the row's advisory lock. A
killed process loses its session, hence its lock: whoever then finds the row « en cours » with its lock free (the
worker's main process when a pool child dies, a starting worker, the periodic reaper, a new launch) marks it failed.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

logger = logging.getLogger(__name__)

_EXECUTEURS: dict[str, Callable] = {}
_ABANDONS: dict[str, Callable] = {}


def travail(nature: str):
    def enregistrer(fonction: Callable) -> Callable:
        _EXECUTEURS[nature] = fonction
        return fonction

    return enregistrer


def executeur(nature: str) -> Callable:
    try:
        return _EXECUTEURS[nature]
    except KeyError:
        raise ValueError(f"Nature de travail inconnue : {nature}") from None


def abandon(nature: str):
    """Register what else to mark failed when a job of this nature is abandoned by a dead worker (its import…)."""

    def enregistrer(fonction: Callable) -> Callable:
        _ABANDONS[nature] = fonction
        return fonction

    return enregistrer


@travail("referentiels_charger")
def _referentiels(travail_row) -> dict:
    from pacte.services import referentiels_charger

    return referentiels_charger(acting_user=travail_row.cree_par)


# --- Faults: rows whose « en cours » is guarded by an advisory lock -------------------------------------------------


@dataclass(frozen=True)
class Surveillance:
    """A kind of row run by a worker task: model (with statut, message, fin), statuses and the lock's first key."""

    tache: str  # the Celery task's name; its only argument is the row's id
    modele: str  # "app_label.Model"
    cle: int  # first key of pg_advisory_lock(cle, id)
    en_attente: str
    en_cours: str
    echec: str
    objet: str  # « ce calcul », « ce travail »: for the messages
    relance: str

    @property
    def lignes(self):
        return apps.get_model(self.modele).objects

    def message_abandon(self) -> str:
        return (f"Le worker qui exécutait {self.objet} s'est arrêté avant la fin (processus tué, mémoire épuisée ou "
                f"machine arrêtée) : rien n'a été enregistré. {self.relance}")


_SURVEILLANCES: dict[str, Surveillance] = {}

MESSAGE_CONNEXION = ("La connexion à la base de données a été coupée pendant le travail : rien n'a été enregistré "
                     "(tout ou rien). Relancez-le ; si l'erreur se répète, prévenez l'administrateur.")


def surveiller(surveillance: Surveillance) -> Surveillance:
    _SURVEILLANCES[surveillance.tache] = surveillance
    return surveillance


def surveillances() -> list[Surveillance]:
    return list(_SURVEILLANCES.values())


def surveillance_de_la_tache(nom: str) -> Surveillance | None:
    return _SURVEILLANCES.get(nom)


def _essayer_verrou(surveillance: Surveillance, pk: int) -> bool:
    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_try_advisory_lock(%s, %s)", [surveillance.cle, pk])
        return curseur.fetchone()[0]


def _liberer_verrou(surveillance: Surveillance, pk: int) -> None:
    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_advisory_unlock(%s, %s)", [surveillance.cle, pk])


@contextmanager
def execution(surveillance: Surveillance, pk: int) -> Iterator[bool]:
    """Hold the row's lock (session level) while running it; yields False when a live process already holds it.

    Taken before the row turns « en cours » and released after it is finished, so a committed « en cours » always
    has a live holder, until that holder's process dies."""
    if not _essayer_verrou(surveillance, pk):
        yield False
        return
    session = connection.connection
    try:
        yield True
    finally:
        if connection.connection is session and session is not None and connection.is_usable():
            _liberer_verrou(surveillance, pk)  # a new session (reconnected after an error) never held it


def orphelin_clore(surveillance: Surveillance, pk: int, message: str | None = None) -> bool:
    """Mark one abandoned row failed (only if still « en cours »), and what hangs on it; True if it was."""
    ligne = surveillance.lignes.filter(pk=pk, statut=surveillance.en_cours)
    maintenant = timezone.now()
    if not ligne.update(statut=surveillance.echec, fin=maintenant, updated_at=maintenant,
                        message=message or surveillance.message_abandon()):
        return False
    logger.warning("%s n° %s abandonné par son worker : marqué en échec", surveillance.modele, pk)
    nature = getattr(surveillance.lignes.filter(pk=pk).first(), "nature", None)
    if nature in _ABANDONS:
        _ABANDONS[nature](pk)
    return True


def orphelins_clore(surveillance: Surveillance | None = None, **filtres) -> int:
    """Mark failed every « en cours » row whose lock no session holds: its worker is dead. Returns how many."""
    clos = 0
    for courante in [surveillance] if surveillance else surveillances():
        for pk in courante.lignes.filter(statut=courante.en_cours, **filtres).values_list("pk", flat=True):
            if not _essayer_verrou(courante, pk):
                continue  # a live session runs it
            try:
                clos += orphelin_clore(courante, pk)
            finally:
                _liberer_verrou(courante, pk)
    return clos


def execution_perdue(surveillance: Surveillance, pk: int) -> bool:
    """A pool child died running this row (the worker's main process knows it): its PostgreSQL session may still
    be busy with a statement and keep the lock, so end that session, then close the row."""
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 2 AND pid <> pg_backend_pid()",
            [surveillance.cle, pk],
        )
    return bool(orphelins_clore(surveillance, pk=pk))


def en_attente_renvoyer() -> int:
    """Send again the task of every waiting row: its message may have been lost with the broker (a Redis restarted
    without persistence). A duplicate is harmless: the locked row runs once."""
    from celery import current_app

    envoyes = 0
    for surveillance in surveillances():
        for pk in surveillance.lignes.filter(statut=surveillance.en_attente).values_list("pk", flat=True):
            current_app.send_task(surveillance.tache, args=[pk])
            envoyes += 1
    return envoyes


def recuperer(*, renvoyer: bool) -> dict:
    """What a starting worker (and the periodic reaper, without ``renvoyer``) does after a fault."""
    bilan = {"orphelins": orphelins_clore()}
    if renvoyer:
        bilan["renvoyes"] = en_attente_renvoyer()
    return bilan


# --- Errors of the database connection -----------------------------------------------------------------------------


def connexion_coupee(erreur: BaseException) -> bool:
    return isinstance(erreur, OperationalError | InterfaceError)


def connexion_retablir() -> None:
    """After an error: drop a dead connection (outside a transaction) so the next query opens a new one."""
    if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
        connection.close()


def message_d_erreur(erreur: BaseException) -> str:
    return MESSAGE_CONNEXION if connexion_coupee(erreur) else str(erreur)
