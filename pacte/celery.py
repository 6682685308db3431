import logging
import os

from billiard.exceptions import WorkerLostError
from celery import Celery, bootsteps, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")

app = Celery("pacte")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


# --- Faults (docs/pannes.md): the worker's main process outlives its pool children and restarts after a crash ----


class Reprise(bootsteps.StartStopStep):
    """At every (re)connection to the broker (a starting worker, a Redis back after a restart): mark failed the runs a
    dead worker left « en cours », and send the waiting ones again (their message may have been lost)."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer) -> None:
        from django.db import connection

        from pacte.travaux import recuperer

        try:
            logger.info("Reprise après panne : %s", recuperer(renvoyer=True))
        except Exception:  # the worker must start even if the database is not reachable yet; beat will retry
            logger.exception("Reprise après panne impossible")
        finally:
            connection.close()


app.steps["consumer"].add(Reprise)


@signals.task_failure.connect
def _execution_perdue(sender=None, exception=None, args=None, **kwargs) -> None:
    """Sent in the main process when a pool child died during a task (kill -9, OOM): close its row at once."""
    if not isinstance(exception, WorkerLostError) or not args:
        return
    from django.db import connection

    from pacte.travaux import execution_perdue, surveillance_de_la_tache

    surveillance = surveillance_de_la_tache(getattr(sender, "name", ""))
    if surveillance is None:
        return
    try:
        execution_perdue(surveillance, args[0])
    except Exception:  # the periodic reaper will close it
        logger.exception("Impossible de clore %s n° %s après la perte de son processus", surveillance.modele, args[0])
    finally:
        connection.close()
