"""Real processes for the fault tests (docs/pannes.md): a Redis of our own that can be killed, Celery workers that
can be killed, and a pause inside a write transaction so that each fault strikes at a known point, not by luck.

The pause is a test-only trigger on the written table: before a chosen row it waits for an advisory lock the test
holds. The worker's backend then shows in pg_locks as waiting: that is the signal that the write is half done."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
from django.conf import settings

DELAI = 60  # seconds: the longest any wait may take before the test fails
CLE_PAUSE = 700300  # pg_advisory_lock(bigint) of the pause; the application's locks take two keys


def attendre(condition, message: str, delai: float = DELAI):
    """Poll until ``condition()`` is truthy (a state of the database or of a process, never a fixed sleep)."""
    limite = time.monotonic() + delai
    while time.monotonic() < limite:
        valeur = condition()
        if valeur:
            return valeur
        time.sleep(0.1)
    raise AssertionError(f"délai de {delai} s dépassé : {message}")


def _port_libre() -> int:
    with socket.socket() as prise:
        prise.bind(("127.0.0.1", 0))
        return prise.getsockname()[1]


def url_base_de_test() -> str:
    from django.db import connection

    from pacte.env import url_postgres

    return url_postgres(connection.settings_dict)


class Redis:
    """A redis-server of our own (no persistence, like the CI's): killing it loses every message and binding."""

    def __init__(self, dossier: Path):
        self.port, self.dossier, self.processus = _port_libre(), dossier, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def demarrer(self) -> None:
        self.processus = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",  # noqa: S607
             "--dir", str(self.dossier)], stdout=subprocess.DEVNULL)
        attendre(self._repond, f"Redis ne répond pas sur le port {self.port}", delai=10)

    def _repond(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as prise:
                prise.sendall(b"PING\r\n")
                return prise.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def tuer(self) -> None:
        self.processus.send_signal(signal.SIGKILL)
        self.processus.wait(timeout=10)


def purger(broker: str) -> None:
    subprocess.run([sys.executable, "-m", "celery", "-A", "pacte", "purge", "-f"],  # noqa: S603
                   env={**os.environ, "CELERY_BROKER_URL": broker}, cwd=settings.BASE_DIR, check=True,
                   capture_output=True, timeout=DELAI)


class Worker:
    """``celery worker`` as in production, on the test database; its log is kept to explain a failure."""

    def __init__(self, *, pool: str, broker: str):
        commande = [sys.executable, "-m", "celery", "-A", "pacte", "worker", "--pool", pool, "--loglevel", "INFO",
                    "--without-mingle", "--without-gossip", "--without-heartbeat"]
        if pool == "prefork":
            commande += ["--concurrency", "1"]
        environnement = {**os.environ, "DATABASE_URL": url_base_de_test(), "CELERY_BROKER_URL": broker,
                         "CELERY_TASK_ALWAYS_EAGER": "false"}
        self.journal: list[str] = []
        self.pret = threading.Event()
        self.processus = subprocess.Popen(  # noqa: S603
            commande, env=environnement, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        self.lecteur = threading.Thread(target=self._lire, daemon=True)
        self.lecteur.start()

    def _lire(self) -> None:
        for ligne in self.processus.stderr:
            self.journal.append(ligne)
            if " ready." in ligne:
                self.pret.set()

    def attendre_pret(self) -> "Worker":
        if not self.pret.wait(DELAI):
            raise AssertionError("le worker n'a pas démarré :\n" + "".join(self.journal[-40:]))
        return self

    def enfants(self) -> list[int]:
        chemin = Path(f"/proc/{self.processus.pid}/task/{self.processus.pid}/children")
        return [int(pid) for pid in chemin.read_text().split()]

    def tuer(self) -> None:
        self.processus.send_signal(signal.SIGKILL)
        self.processus.wait(timeout=10)

    def arreter(self) -> None:
        """At the end of a test: no task is left to finish, so no need for a warm shutdown."""
        if self.processus.poll() is None:
            self.tuer()
        self.lecteur.join(timeout=10)
        self.processus.stderr.close()


class Pause:
    """A trigger that makes the write of ``table`` wait, before the row matching ``condition``, for our lock."""

    def __init__(self):
        self.pilote = psycopg.connect(url_base_de_test(), autocommit=True)
        self.tables: list[str] = []

    def poser(self, table: str, condition: str) -> None:
        self.pilote.execute(f"""
            CREATE OR REPLACE FUNCTION tests_pannes_pause() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {condition} THEN PERFORM pg_advisory_xact_lock_shared({CLE_PAUSE}); END IF;
                RETURN NEW;
            END $$""")
        self.pilote.execute(f"CREATE TRIGGER tests_pannes_pause BEFORE INSERT OR UPDATE ON {table} "
                            "FOR EACH ROW EXECUTE FUNCTION tests_pannes_pause()")
        self.tables.append(table)
        self.pilote.execute("SELECT pg_advisory_lock(%s)", [CLE_PAUSE])

    def session_en_pause(self) -> int:
        """Wait until a session is stopped by the pause, in the middle of its transaction; return its backend pid."""
        return attendre(self._en_attente, "aucune écriture n'a atteint la pause")

    def _en_attente(self) -> int | None:
        ligne = self.pilote.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s AND objsubid = 1 "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", [CLE_PAUSE]).fetchone()
        return ligne and ligne[0]

    def liberer(self) -> None:
        self.pilote.execute("SELECT pg_advisory_unlock_all()")

    def session_terminee(self, pid: int) -> None:
        attendre(lambda: not self.pilote.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone(),
                 f"la session {pid} du processus tué ne s'est pas terminée")

    def retirer(self) -> None:
        self.liberer()
        for table in self.tables:
            self.pilote.execute(f"DROP TRIGGER IF EXISTS tests_pannes_pause ON {table}")
        self.pilote.execute("DROP FUNCTION IF EXISTS tests_pannes_pause()")
        self.tables.clear()
