"""A real Celery worker process runs a job end to end (no eager mode), through the configured broker."""

import os
import time
from unittest import mock

import pytest
from django.conf import settings

from pacte.enums import StatutTravail
from pacte.models import Region, Travail
from pacte.services import travail_creer


def _attendre_fin(travail: Travail, delai: float = 60) -> Travail:
    limite = time.monotonic() + delai
    while time.monotonic() < limite:
        travail.refresh_from_db()
        if travail.statut in (StatutTravail.TERMINE, StatutTravail.ECHEC):
            return travail
        time.sleep(0.2)
    raise AssertionError(f"le worker n'a pas terminé le travail en {delai} s (statut {travail.statut})")


@pytest.mark.worker
def test_le_broker_est_redis_en_ci():
    if os.environ.get("PACTE_EXIGER_SERVICES"):
        assert settings.CELERY_BROKER_URL.startswith("redis://"), settings.CELERY_BROKER_URL
    else:
        assert settings.CELERY_BROKER_URL.startswith(("redis://", "sqla+postgresql"))


@pytest.mark.worker
def test_un_vrai_worker_execute_un_travail(worker):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    travail = travail_creer(nature="referentiels_charger")
    travail = _attendre_fin(travail)
    assert travail.statut == StatutTravail.TERMINE, travail.message
    assert travail.resultat["regions"] == 27
    assert Region.objects.count() == 27
    assert worker.poll() is None, "le worker s'est arrêté"


@pytest.mark.django_db
def test_le_travail_est_envoye_apres_le_commit(django_capture_on_commit_callbacks):
    with mock.patch("pacte.tasks.travail_executer.delay") as envoi:
        with django_capture_on_commit_callbacks(execute=False) as rappels:
            travail = travail_creer(nature="referentiels_charger")
        envoi.assert_not_called()
        for rappel in rappels:
            rappel()
        envoi.assert_called_once_with(travail.pk)


@pytest.mark.django_db
def test_un_travail_deja_demarre_n_est_pas_rejoue():
    """A redelivered message (acks_late, visibility timeout) must not run the job twice."""
    from pacte.tasks import travail_executer

    travail = Travail.objects.create(nature="referentiels_charger", statut=StatutTravail.EN_COURS)
    travail_executer(travail.pk)
    travail.refresh_from_db()
    assert travail.statut == StatutTravail.EN_COURS
    assert Region.objects.count() == 0
