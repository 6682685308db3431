"""The PostgreSQL connection of an import is cut mid-write (pg_terminate_backend from a second connection): nothing
is half-written, the job and the import say so in French, and importing the same file again succeeds."""

import pytest
from django.conf import settings

from mutualisation.enums import StatutImport
from mutualisation.models import Pret
from mutualisation.services.imports import import_soumettre
from pacte.enums import StatutTravail
from pacte.models import Evenement, Travail
from pacte.travaux import MESSAGE_CONNEXION
from tests.factories import OrganismeFactory, RegionFactory
from tests.pannes.outils import attendre

pytestmark = pytest.mark.worker

LIGNES = 300
ENTETE = "numero_pret;numero_operation;siren;produit;date_signature;montant;nb_logements;zone;code_commune"


def _fichier(sirens: list[str]) -> bytes:
    lignes = [f"I{n:04d};OP{n:04d};{sirens[n % len(sirens)]};PLUS;2013-05-17;1000,00;10;1;75056"
              for n in range(LIGNES)]
    return ("\n".join([ENTETE, *lignes]) + "\n").encode()


def _soumettre(contenu: bytes):
    fichier = import_soumettre(acting_user=None, type_fichier="prets", nom_fichier="prets.csv", contenu=contenu,
                               sur_le_worker=True)
    travail = fichier.travail

    def fini():
        travail.refresh_from_db()
        return travail.statut in (StatutTravail.TERMINE, StatutTravail.ECHEC)

    return fichier, travail, fini


def test_connexion_coupee_pendant_un_import(workers, pause, tmp_path, settings_fichiers):
    region = RegionFactory()
    contenu = _fichier([OrganismeFactory(region=region).siren for _ in range(3)])
    worker = workers(pool="solo", broker=settings.CELERY_BROKER_URL)
    pause.poser("mutualisation_pret", "(SELECT count(*) FROM mutualisation_pret) = 100")
    fichier, travail, fini = _soumettre(contenu)
    session = pause.session_en_pause()  # 100 loans written in the import's open transaction
    assert not Pret.objects.exists()
    pause.pilote.execute("SELECT pg_terminate_backend(%s)", [session])

    attendre(fini, "le travail d'import n'a pas été clos")
    assert travail.statut == StatutTravail.ECHEC and travail.message == MESSAGE_CONNEXION
    fichier.refresh_from_db()
    assert fichier.statut == StatutImport.REFUSE and "rien n'a été importé" in fichier.message
    assert not Pret.objects.exists() and not Evenement.objects.filter(action="import_fichier").exists()
    assert worker.processus.poll() is None, "le worker s'est arrêté"

    pause.retirer()
    fichier, travail, fini = _soumettre(contenu)  # the same file: a refused import is no duplicate
    attendre(fini, "le second import n'a pas fini")
    fichier.refresh_from_db()
    assert travail.statut == StatutTravail.TERMINE, travail.message
    assert (fichier.statut, fichier.nb_ajoutees) == (StatutImport.IMPORTE, LIGNES)
    assert Pret.objects.count() == LIGNES and Travail.objects.filter(statut=StatutTravail.ECHEC).count() == 1


@pytest.fixture
def settings_fichiers(settings, tmp_path):
    """Imported files kept under the test's folder; the worker reads them by their stored absolute path."""
    settings.FICHIERS_DIR = tmp_path / "fichiers"
