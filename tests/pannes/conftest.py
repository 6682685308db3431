"""Fixtures of the fault tests: our own Redis, workers stopped at the end, the pause, a year to compute."""

from decimal import Decimal

import pytest
from django.conf import settings

from tests.factories import OrganismeFactory, RegionFactory
from tests.pannes.outils import Pause, Redis, Worker, purger


@pytest.fixture
def redis(tmp_path):
    serveur = Redis(tmp_path)
    serveur.demarrer()
    yield serveur
    if serveur.processus.poll() is None:
        serveur.tuer()


@pytest.fixture
def workers(transactional_db):
    """Start workers with ``workers(pool=…, broker=…)``; all are stopped at the end of the test."""
    lances: list[Worker] = []

    def lancer(*, pool: str, broker: str) -> Worker:
        if broker == settings.CELERY_BROKER_URL:  # messages left by earlier tests name rows of other databases
            purger(broker)
        lances.append(Worker(pool=pool, broker=broker))
        return lances[-1].attendre_pret()

    yield lancer
    for worker in lances:
        worker.arreter()


@pytest.fixture
def pause(transactional_db):
    instance = Pause()
    yield instance
    instance.retirer()
    instance.pilote.close()


@pytest.fixture
def annee_2013(transactional_db):
    """Twelve concerned organisms (one exempt, one non-Hlm out of scope) with loans: a run writes 12 result rows."""
    from mutualisation.models import BaseAnnuelle, Pret, Restructuration
    from mutualisation.referentiels import baremes_charger
    from pacte.enums import Famille

    baremes_charger()
    region = RegionFactory()
    organismes = [OrganismeFactory(region=region) for _ in range(11)]
    organismes.append(OrganismeFactory(region=region, famille=Famille.COOP))
    for rang, organisme in enumerate(organismes):
        BaseAnnuelle.objects.create(
            organisme=organisme, annee=2013, patrimoine_locatif=1000 + rang, loyers=Decimal("4000000.00") + rang,
            logements=1000 + 7 * rang, cotisation_cglls=Decimal("60000.00") + 3 * rang,
            plan_cglls="CONSOLIDATION" if rang == 11 else "AUCUN")
        for numero, (produit, zone) in enumerate((("PLUS", "1"), ("PLAI", "2"), ("ECO_PRET", ""))):
            Pret.objects.create(
                numero_pret=f"P{rang}-{numero}", numero_operation=f"OP{rang}-{numero}", organisme=organisme,
                produit=produit, date_signature="2013-06-01", montant=Decimal("1234567.89") + rang,
                nb_logements=0 if produit == "ECO_PRET" else 3 + rang, zone=zone)
    Restructuration.objects.create(organisme=organisme, annee=2013, reference="R1", nb_logements=12,
                                   zone_detendue=True)
    OrganismeFactory(region=region, non_hlm=True)
    return organismes
