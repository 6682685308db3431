"""Launching a run (docs/pannes.md): two launches of a year at the same moment make one run; a run left « en cours »
by a dead worker never blocks the year, a run whose worker is alive does."""

import threading
from unittest import mock

import psycopg
import pytest
from django.db import connections
from django.urls import reverse

from mutualisation.enums import StatutCalcul
from mutualisation.models import Calcul, Campagne
from mutualisation.services.campagne import ErreurCampagne, calcul_executer, calcul_lancer
from mutualisation.tasks import SURVEILLANCE_CALCUL, calcul_executer_tache
from pacte.enums import Role
from tests.pannes.outils import attendre, url_base_de_test


def _lancer_dans_un_fil(issues: list) -> threading.Thread:
    def lancer():
        try:
            issues.append(calcul_lancer(acting_user=None, annee=2013))
        except ErreurCampagne as erreur:
            issues.append(erreur)
        finally:
            connections.close_all()

    fil = threading.Thread(target=lancer)
    fil.start()
    return fil


def _en_attente_d_un_verrou(pilote) -> int:
    pilote.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the statistics are a frozen snapshot
    return pilote.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                          "AND datname = current_database()").fetchone()[0]


def test_deux_lancements_simultanes_font_un_seul_calcul(annee_2013):
    Campagne.objects.get_or_create(annee=2013)
    issues: list = []
    with psycopg.connect(url_base_de_test(), autocommit=True) as pilote, \
            mock.patch.object(calcul_executer_tache, "delay") as envoi:
        with pilote.transaction():
            # Hold the year's row: both launches reach the same point and wait there, side by side.
            pilote.execute("SELECT 1 FROM mutualisation_campagne WHERE annee = 2013 FOR UPDATE")
            fils = [_lancer_dans_un_fil(issues), _lancer_dans_un_fil(issues)]
            attendre(lambda: _en_attente_d_un_verrou(pilote) == 2, "les deux lancements n'attendent pas la même ligne")
        for fil in fils:
            fil.join(timeout=60)
    calculs = [issue for issue in issues if isinstance(issue, Calcul)]
    refus = [issue for issue in issues if isinstance(issue, ErreurCampagne)]
    assert len(calculs) == 1 and len(refus) == 1, issues
    assert str(refus[0]) == "Un calcul de l'année 2013 est déjà en cours."
    assert list(Calcul.objects.filter(simulation=False).values_list("pk", flat=True)) == [calculs[0].pk]
    envoi.assert_called_once_with(calculs[0].pk)


def test_un_calcul_abandonne_ne_bloque_pas_l_annee_un_calcul_vivant_si(annee_2013, personas, client):
    abandonne = Calcul.objects.create(campagne=Campagne.objects.create(annee=2013), statut=StatutCalcul.EN_COURS)
    with psycopg.connect(url_base_de_test(), autocommit=True) as vivant:
        # A live worker's session holds the run's lock: the year stays busy.
        vivant.execute("SELECT pg_advisory_lock(%s, %s)", [SURVEILLANCE_CALCUL.cle, abandonne.pk])
        with pytest.raises(ErreurCampagne, match="déjà en cours"):
            calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False)
    # Its session gone (the worker died), the next launch marks it failed and the year runs again.
    nouveau = calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False)
    abandonne.refresh_from_db()
    assert abandonne.statut == StatutCalcul.ECHEC and abandonne.fin is not None
    assert abandonne.message.startswith("Le worker qui exécutait ce calcul s'est arrêté avant la fin")
    assert calcul_executer(nouveau.pk).statut == StatutCalcul.TERMINE
    # The campaign page shows the failure with its reason, and the button to run again.
    client.force_login(personas[Role.EQUIPE_USH])
    page = client.get(reverse("mutualisation:campagne", args=[2013])).content.decode()
    assert "Échec" in page and "s&#x27;est arrêté avant la fin" in page and "Lancer le calcul 2013" in page


def test_le_ramasseur_periodique_clot_les_travaux_abandonnes_et_leur_import(transactional_db):
    from mutualisation.enums import StatutImport
    from mutualisation.models import ImportFichier
    from pacte.enums import StatutTravail
    from pacte.models import Travail
    from pacte.tasks import SURVEILLANCE_TRAVAIL, orphelins_clore

    abandonne, vivant = (Travail.objects.create(nature="import_fichier", statut=StatutTravail.EN_COURS)
                         for _ in range(2))
    fichier = ImportFichier.objects.create(type_fichier="prets", nom_fichier="prets.csv", empreinte="0" * 64,
                                           chemin="/nulle/part", statut=StatutImport.EN_COURS, travail=abandonne)
    with psycopg.connect(url_base_de_test(), autocommit=True) as worker_vivant:
        worker_vivant.execute("SELECT pg_advisory_lock(%s, %s)", [SURVEILLANCE_TRAVAIL.cle, vivant.pk])
        assert orphelins_clore() == 1  # what beat runs every minute
    abandonne.refresh_from_db(), vivant.refresh_from_db(), fichier.refresh_from_db()
    assert abandonne.statut == StatutTravail.ECHEC and "Relancez-le" in abandonne.message
    assert vivant.statut == StatutTravail.EN_COURS
    assert fichier.statut == StatutImport.REFUSE and "Rien n'a été importé" in fichier.message
