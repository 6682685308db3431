import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from pacte.procfile import commandes_procfile


class Command(BaseCommand):
    help = "Démarre le serveur web et le worker Celery (développement) ; Ctrl-C arrête les deux."

    def add_arguments(self, parser):
        parser.add_argument("--adresse", default="127.0.0.1:8000")
        parser.add_argument("--preparer", action="store_true", help="migre, charge les référentiels et la démo avant")

    def handle(self, *args, adresse, preparer, **options):
        if preparer:
            # One process for every step: the embedded PostgreSQL starts once.
            call_command("migrate", interactive=False, verbosity=0)
            call_command("charger_referentiels")
            call_command("generer_demo")  # skips the files already imported: running make run again is fast
            self._calculer_la_demo()
            call_command("creer_comptes_demo")
        # SIGTERM (kill, a supervisor) stops like Ctrl-C: children stopped, embedded PostgreSQL released at exit.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        environnement = {**os.environ, "DATABASE_URL": settings.DATABASE_URL, "PYTHONUNBUFFERED": "1"}
        worker = subprocess.Popen(commandes_procfile(sys.executable)["worker"], env=environnement)  # noqa: S603
        web = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", adresse, "--noreload"], env=environnement
        )
        if self._attendre_web(adresse, web):
            self.stdout.write(self.style.SUCCESS(f"\nPacte est prêt : http://{adresse}/  (Ctrl-C pour arrêter)\n"))
        try:
            web.wait()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            for processus in (web, worker):
                if processus.poll() is None:
                    processus.send_signal(signal.SIGTERM)
            for processus in (web, worker):
                processus.wait(timeout=30)

    def _calculer_la_demo(self) -> None:
        """The demo opens on a computed 2013 campaign, as the commission would find it."""
        from mutualisation.selectors import dernier_calcul

        if dernier_calcul(2013) is None:
            call_command("mutualisation", "calculer", "2013", "--sync")

    def _attendre_web(self, adresse: str, web: subprocess.Popen, delai: float = 60) -> bool:
        """Announce the address only once the server answers its health check."""
        limite = time.monotonic() + delai
        while time.monotonic() < limite and web.poll() is None:
            try:
                with urllib.request.urlopen(f"http://{adresse}/sante/", timeout=2):  # noqa: S310 - our own server
                    return True
            except OSError:
                time.sleep(0.3)
        self.stderr.write(f"Le serveur web ne répond pas sur http://{adresse}/ : voir les messages ci-dessus.")
        return False
