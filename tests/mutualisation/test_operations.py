"""An operation has one organism and one zone: the rule is kept by PostgreSQL at every statement that writes loans
(mutualisation.operations), whatever writes them; the import refuses such a file first, line by line."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from mutualisation.models import Pret
from tests.factories import OrganismeFactory, PretFactory

pytestmark = pytest.mark.django_db

REFUS = "Opérations dont les prêts diffèrent d'organisme ou de zone : "


def _refuse(ecrire, operations: str) -> None:
    avant = list(Pret.objects.order_by("pk").values())
    with pytest.raises(IntegrityError, match=f"{REFUS}{operations}\\.") as erreur, transaction.atomic():
        ecrire()
    assert erreur.value.__cause__.sqlstate == "23514"  # check_violation
    assert list(Pret.objects.order_by("pk").values()) == avant  # nothing written


def test_un_pret_d_un_autre_organisme_ou_d_une_autre_zone_dans_une_operation_est_refuse():
    a, b = OrganismeFactory(), OrganismeFactory()
    PretFactory(numero_pret="P1", numero_operation="OP1", organisme=a, zone="1")
    _refuse(lambda: PretFactory(numero_pret="P2", numero_operation="OP1", organisme=b, zone="1"), "OP1")
    _refuse(lambda: PretFactory(numero_pret="P2", numero_operation="OP1", organisme=a, zone="2"), "OP1")
    # a PAM loan inside the operation carries no zone: accepted; loans without operation are each their own
    PretFactory(numero_pret="P3", numero_operation="OP1", organisme=a, produit="PAM", zone="")
    PretFactory(numero_pret="P4", organisme=b, zone="3")
    PretFactory(numero_pret="P5", organisme=a, zone="2")
    assert Pret.objects.count() == 4


def test_modifier_un_pret_seul_est_refuse_toute_l_operation_d_un_coup_est_acceptee():
    a, b = OrganismeFactory(), OrganismeFactory()
    for numero in ("P1", "P2", "P3"):
        PretFactory(numero_pret=numero, numero_operation="OP1", organisme=a, zone="1")
    PretFactory(numero_pret="Q1", numero_operation="OP2", organisme=b, zone="2")
    _refuse(lambda: Pret.objects.filter(pk="P2").update(zone="2"), "OP1")
    _refuse(lambda: Pret.objects.filter(pk__in=["P1", "Q1"]).update(organisme=b, zone="3"), "OP1")
    Pret.objects.filter(numero_operation="OP1").update(organisme=b, zone="1bis")  # the whole operation moves
    assert set(Pret.objects.filter(numero_operation="OP1").values_list("organisme_id", "zone")) == {(b.siren, "1bis")}
    Pret.objects.filter(pk="P3").delete()  # deleting never breaks the rule


def test_sql_brut_plusieurs_operations_fautives_nommees_dans_l_ordre():
    a, b = OrganismeFactory(), OrganismeFactory()
    colonnes = ("numero_pret, numero_operation, siren, produit, date_signature, montant, nb_logements, zone, "
                "code_commune")

    def inserer():
        with connection.cursor() as curseur:
            curseur.execute(f"INSERT INTO mutualisation_pret ({colonnes}) VALUES "  # noqa: S608 - test constants
                            "('R1', 'OPB', %s, 'PLUS', '2013-01-01', 1, 1, '1', ''),"
                            "('R2', 'OPB', %s, 'PLUS', '2013-01-01', 1, 1, '1', ''),"
                            "('R3', 'OPA', %s, 'PLUS', '2013-01-01', 1, 1, '1', ''),"
                            "('R4', 'OPA', %s, 'PLUS', '2013-01-01', 1, 1, '2', ''),"
                            "('R5', 'OPC', %s, 'PLUS', '2013-01-01', 1, 1, '3', '')",
                            [a.siren, b.siren, a.siren, a.siren, a.siren])

    _refuse(inserer, "OPA, OPB")


def test_la_migration_refuse_des_prets_deja_incoherents():
    a, b = OrganismeFactory(), OrganismeFactory()
    PretFactory(numero_pret="P1", numero_operation="OP1", organisme=a, date_signature=date(2013, 1, 1))
    migration = importlib.import_module("mutualisation.migrations.0007_operations_coherentes_par_instruction")
    with connection.cursor() as curseur:
        curseur.execute(migration.VERIFIER)  # coherent loans: the migration goes on
        curseur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction holds deferred key checks
        curseur.execute("ALTER TABLE mutualisation_pret DISABLE TRIGGER USER")
        curseur.execute("UPDATE mutualisation_pret SET siren = %s, montant = %s", [b.siren, Decimal("2.00")])
        curseur.execute("INSERT INTO mutualisation_pret (numero_pret, numero_operation, siren, produit, "
                        "date_signature, montant, nb_logements, zone, code_commune) "
                        "VALUES ('P2', 'OP1', %s, 'PLUS', '2013-01-01', 1, 1, '1', '')", [a.siren])
        curseur.execute("ALTER TABLE mutualisation_pret ENABLE TRIGGER USER")
        with pytest.raises(Exception, match="Migration impossible : opérations dont les prêts diffèrent "
                                            "d'organisme ou de zone : OP1\\."), transaction.atomic():
            curseur.execute(migration.VERIFIER)
