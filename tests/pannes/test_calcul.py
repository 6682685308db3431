"""A mutualisation run struck mid-write (docs/pannes.md): no partial result is ever visible, the run is marked failed
(or finishes), and running again gives the totals of an undisturbed run. Real workers, a real Redis, real kills."""

import os
import signal

import pytest

from mutualisation.enums import StatutCalcul, StatutCampagne
from mutualisation.models import Calcul, Campagne, ResultatOrganisme
from mutualisation.services.campagne import calcul_executer, calcul_lancer
from mutualisation.tasks import calcul_executer_tache
from pacte.celery import app
from tests.pannes.outils import attendre

pytestmark = pytest.mark.worker

RESULTATS = "mutualisation_resultatorganisme"
# Before the 6th result row: five rows are then written in the run's open transaction (a BEFORE ROW trigger sees the
# rows its statement already processed, PostgreSQL « Visibility of Data Changes »).
CINQ_LIGNES_ECRITES = "(SELECT count(*) FROM mutualisation_resultatorganisme WHERE calcul_id = NEW.calcul_id) = 5"


def _signature(calcul: Calcul) -> tuple:
    lignes = calcul.resultats.order_by("organisme_id").values_list("organisme_id", "aide_totale", "contribution",
                                                                   "solde")
    return calcul.totaux, calcul.empreinte_entrees, list(lignes)


def _reference() -> tuple:
    """The undisturbed run, in the test's process, before any fault."""
    calcul = calcul_executer(calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False).pk)
    assert calcul.statut == StatutCalcul.TERMINE and calcul.totaux["nb_organismes"] == 12
    return _signature(calcul)


def _envoyer(broker: str, calcul: Calcul) -> Calcul:
    with app.connection_for_write(broker) as connexion:
        calcul_executer_tache.apply_async((calcul.pk,), connection=connexion)
    return calcul


def _lancer(broker: str, **options) -> Calcul:
    return _envoyer(broker, calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False, **options))


def _fini(calcul: Calcul) -> Calcul:
    def statut():
        calcul.refresh_from_db()
        return calcul.statut in (StatutCalcul.TERMINE, StatutCalcul.ECHEC)

    attendre(statut, f"le calcul n° {calcul.pk} n'est ni terminé ni en échec ({calcul.statut})")
    return calcul


def _rien_de_visible(calcul: Calcul) -> None:
    calcul.refresh_from_db()
    assert calcul.statut != StatutCalcul.TERMINE
    assert not ResultatOrganisme.objects.filter(calcul=calcul).exists()
    assert Campagne.objects.get(annee=2013).statut == StatutCampagne.CALCULEE  # from the reference run only


def _en_echec_sans_resultat(calcul: Calcul) -> None:
    assert calcul.statut == StatutCalcul.ECHEC, calcul.message
    assert "s'est arrêté avant la fin" in calcul.message and "Relancez le calcul" in calcul.message
    assert not ResultatOrganisme.objects.filter(calcul=calcul).exists()


def test_kill_9_de_l_enfant_du_pool(redis, workers, pause, annee_2013):
    attendu = _reference()
    worker = workers(pool="prefork", broker=redis.url)
    pause.poser(RESULTATS, CINQ_LIGNES_ECRITES)
    calcul = _lancer(redis.url)
    pause.session_en_pause()
    _rien_de_visible(calcul)
    [enfant] = worker.enfants()
    os.kill(enfant, signal.SIGKILL)
    # the main process learns at once that its child died, ends the child's session and marks the run failed
    _en_echec_sans_resultat(_fini(calcul))
    assert worker.processus.poll() is None, "le processus principal du worker s'est arrêté"
    pause.retirer()
    relance = _fini(_lancer(redis.url))  # on the same worker, through its new child
    assert relance.statut == StatutCalcul.TERMINE, relance.message
    assert _signature(relance) == attendu


@pytest.mark.parametrize("pool", ["solo", "prefork"])
def test_kill_9_du_processus_principal(pool, redis, workers, pause, annee_2013):
    attendu = _reference()
    worker = workers(pool=pool, broker=redis.url)
    enfants = worker.enfants()
    pause.poser(RESULTATS, CINQ_LIGNES_ECRITES)
    calcul = _lancer(redis.url)
    session = pause.session_en_pause()
    worker.tuer()
    for enfant in enfants:  # prefork children die with their parent (PR_SET_PDEATHSIG)
        attendre(lambda enfant=enfant: not os.path.exists(f"/proc/{enfant}"), f"l'enfant {enfant} survit")
    # The dead process's session, held by the pause, reads the end of its connection and rolls back.
    pause.liberer()
    pause.session_terminee(session)
    _rien_de_visible(calcul)
    assert calcul.statut == StatutCalcul.EN_COURS  # nobody alive knows yet
    workers(pool=pool, broker=redis.url)  # the restarted worker finds it and marks it failed
    _en_echec_sans_resultat(_fini(calcul))
    pause.retirer()
    relance = _fini(_lancer(redis.url))
    assert relance.statut == StatutCalcul.TERMINE, relance.message
    assert _signature(relance) == attendu


def test_redis_redemarre_pendant_un_calcul(redis, workers, pause, annee_2013):
    attendu = _reference()
    workers(pool="prefork", broker=redis.url)
    pause.poser(RESULTATS, CINQ_LIGNES_ECRITES)
    calcul = _lancer(redis.url)
    pause.session_en_pause()
    redis.tuer()  # no persistence: the queue, the unacknowledged message and the bindings are gone
    # A simulation recorded while Redis is down: its message is lost (the row says « en attente »).
    simulation = calcul_lancer(acting_user=None, annee=2013, simulation=True, sur_le_worker=False)
    redis.demarrer()
    pause.liberer()
    _fini(calcul)
    assert calcul.statut == StatutCalcul.TERMINE, calcul.message  # the run went on while the broker was away
    assert _signature(calcul) == attendu
    # The worker reconnected and sent the waiting rows again.
    assert _fini(simulation).statut == StatutCalcul.TERMINE, simulation.message
    assert _signature(simulation)[0] == attendu[0]
