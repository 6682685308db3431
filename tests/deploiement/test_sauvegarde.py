"""Backup and restore (docs/sauvegarde.md): a dump of a database holding a validated year, restored by
``manage.py restaurer`` into a new database, gives the same validated run (fingerprint, totals, result lines), the
same triggers, and the year is still frozen there: a raw UPDATE is refused."""

import io
import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from pacte.env import url_postgres
from tests.deploiement.annee import annee_validee

pytestmark = pytest.mark.django_db(transaction=True)

ETAT = {
    "calcul": "SELECT k.id, k.valide, k.empreinte_entrees, k.totaux::text, c.annee, c.statut"
              " FROM mutualisation_calcul k JOIN mutualisation_campagne c ON c.id = k.campagne_id WHERE k.valide",
    "resultats": "SELECT count(*), sum(aide_totale), sum(contribution), sum(solde) FROM mutualisation_resultatorganisme"
                 " WHERE calcul_id IN (SELECT id FROM mutualisation_calcul WHERE valide)",
    "declencheurs": "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
    "audit": "SELECT count(*) FROM mutualisation_calculevent",
}


def _etat(curseur) -> dict:
    etat = {}
    for cle, requete in ETAT.items():
        curseur.execute(requete)
        etat[cle] = curseur.fetchall()
    return etat


@pytest.fixture
def base_neuve():
    base = {**connection.settings_dict, "NAME": f"{connection.settings_dict['NAME']}_restauree"}
    with connection.cursor() as curseur:
        curseur.execute(f'DROP DATABASE IF EXISTS "{base["NAME"]}"')
        curseur.execute(f'CREATE DATABASE "{base["NAME"]}"')
    yield base
    with connection.cursor() as curseur:
        curseur.execute(f'DROP DATABASE IF EXISTS "{base["NAME"]}" WITH (FORCE)')


def test_une_sauvegarde_restauree_garde_le_calcul_valide_et_le_gel(roles, tmp_path, base_neuve):
    calcul = annee_validee()
    with connection.cursor() as curseur:
        avant = _etat(curseur)
    assert avant["calcul"] == [(calcul.pk, True, calcul.empreinte_entrees, avant["calcul"][0][3], 2013, "validee")]
    assert avant["resultats"][0][0] == 2 and avant["audit"][0][0] > 0
    fichier = tmp_path / "pacte.dump"
    sortie = io.StringIO()
    call_command("sauvegarder", str(fichier), stdout=sortie)
    assert f"Calcul validé 2013 : n° {calcul.pk}, empreinte des entrées {calcul.empreinte_entrees}" in sortie.getvalue()

    url = url_postgres(base_neuve)
    restauration = subprocess.run(  # noqa: S603 - the operator's command, as documented
        [sys.executable, "manage.py", "restaurer", str(fichier)], cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, timeout=120, check=False)
    assert restauration.returncode == 0, restauration.stderr
    assert f"n° {calcul.pk}, empreinte des entrées {calcul.empreinte_entrees}" in restauration.stdout

    with psycopg.connect(url, autocommit=True) as restauree, restauree.cursor() as curseur:
        assert _etat(curseur) == avant
        for requete in ("UPDATE mutualisation_calcul SET totaux = '{}' WHERE valide",
                        "UPDATE mutualisation_resultatorganisme SET solde = solde + 1, contribution = contribution - 1,"
                        " part_loyers = part_loyers - 1"):
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="validé|figée"):
                curseur.execute(requete)
        assert _etat(curseur) == avant

    # Restoring over a database that is not empty is refused, before pg_restore touches it.
    with pytest.raises(CommandError, match="n'est pas vide"):
        call_command("restaurer", str(fichier))
