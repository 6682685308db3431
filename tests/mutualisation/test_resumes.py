"""Each organism's loans digest is kept by the loans' triggers (mutualisation.resumes): after every kind of write the
maintained table equals the digest recomputed over the loans, and the digest an explanation or a fingerprint reads
is that one (docs/performances.md, « Calcul : les résumés des prêts tenus à jour »)."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutualisation import resumes
from mutualisation.models import Pret, ResumePrets
from mutualisation.services.imports import import_soumettre
from tests.factories import OrganismeFactory, PretFactory, RegionFactory, siren_avec_cle

pytestmark = pytest.mark.django_db


def _tenus() -> dict[str, tuple[int, int]]:
    with connection.cursor() as curseur:
        curseur.execute(resumes.TENUS_SQL)
        return {siren: (nombre, empreinte) for siren, nombre, empreinte in curseur.fetchall()}


def _recalcules() -> dict[str, tuple[int, int]]:
    with connection.cursor() as curseur:
        curseur.execute(resumes.RECALCULES_SQL)
        return {siren: (nombre, empreinte) for siren, nombre, empreinte in curseur.fetchall()}


def _egaux() -> dict[str, tuple[int, int]]:
    tenus = _tenus()
    assert tenus == _recalcules()
    return tenus


def test_chaque_ecriture_de_l_orm_tient_le_resume_a_jour():
    a, b = OrganismeFactory(), OrganismeFactory()
    assert _egaux() == {}
    premier = PretFactory(organisme=a)
    assert _egaux()[a.siren][0] == 1
    Pret.objects.bulk_create([PretFactory.build(organisme=o) for o in (a, a, b)])
    assert {s: n for s, (n, _) in _egaux().items()} == {a.siren: 3, b.siren: 1}
    avant = _egaux()[a.siren]
    Pret.objects.filter(pk=premier.pk).update(montant=premier.montant + Decimal("0.01"))
    assert _egaux()[a.siren] != avant and _egaux()[a.siren][0] == 3
    Pret.objects.filter(pk=premier.pk).update(montant=premier.montant)
    assert _egaux()[a.siren] == avant  # back to the same loans, back to the same digest
    Pret.objects.filter(pk=premier.pk).update(organisme=b)  # a loan that changes organism leaves one, joins the other
    assert {s: n for s, (n, _) in _egaux().items()} == {a.siren: 2, b.siren: 2}
    Pret.objects.filter(organisme=b).delete()
    assert set(_egaux()) == {a.siren}  # no loan left: b's digest is gone, as the recomputation has none
    assert ResumePrets.objects.get(siren=b.siren).nombre == 0


def test_les_colonnes_hors_du_resume_ne_le_changent_pas():
    pret = PretFactory()
    avant = _egaux()
    Pret.objects.filter(pk=pret.pk).update(code_commune="75056")
    assert _egaux() == avant


def test_une_ecriture_annulee_n_en_laisse_rien_et_truncate_vide_les_resumes():
    pret = PretFactory()
    avant = _egaux()
    with pytest.raises(RuntimeError), transaction.atomic():
        PretFactory(organisme=pret.organisme)
        Pret.objects.filter(pk=pret.pk).update(nb_logements=99)
        raise RuntimeError
    assert _egaux() == avant
    with connection.cursor() as curseur:
        curseur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction holds deferred key checks
        curseur.execute("TRUNCATE mutualisation_pret")
    assert _egaux() == {} and not ResumePrets.objects.exists()


def test_l_import_d_un_extrait_et_son_remplacement_tiennent_les_resumes(settings, tmp_path):
    settings.FICHIERS_DIR = tmp_path
    region = RegionFactory()
    s1, s2 = siren_avec_cle(11111111), siren_avec_cle(22222222)
    for siren in (s1, s2):
        OrganismeFactory(siren=siren, region=region)
    entete = "numero_pret;numero_operation;siren;produit;date_signature;montant;nb_logements;zone;code_commune"

    def importer(*lignes: str, nom: str) -> None:
        contenu = ("\n".join([entete, *lignes]) + "\n").encode()
        fichier = import_soumettre(acting_user=None, type_fichier="prets", nom_fichier=nom, contenu=contenu)
        assert fichier.statut == "importe", fichier.message

    importer(f"P1;OP1;{s1};PLUS;2013-05-17;1000,00;10;1;75056", f"P2;OP1;{s1};PLAI;2013-05-17;5,00;2;1;75056",
             f"P3;;{s2};PAM;2013-02-01;300,00;0;;", nom="premier.csv")
    assert {s: n for s, (n, _) in _egaux().items()} == {s1: 2, s2: 1}
    # INSERT … ON CONFLICT DO UPDATE: one line replaced (P2 moves to s2), one unchanged, one added
    importer(f"P1;OP1;{s1};PLUS;2013-05-17;1000,00;10;1;75056", f"P2;;{s2};PAM;2013-05-17;5,00;0;;",
             f"P4;OP4;{s2};PLUS;2013-07-01;70,00;7;2;", nom="second.csv")
    assert {s: n for s, (n, _) in _egaux().items()} == {s1: 1, s2: 3}


def test_instructions_sql_de_plusieurs_lignes_et_reconstruction_apres_un_chargement_sans_declencheurs():
    a, b = OrganismeFactory(), OrganismeFactory()
    valeurs = ", ".join(f"('N{i}', 'OP{i}', %s, 'PLUS', '2013-01-01', {i}.5, {i}, '1', '')" for i in range(6))
    colonnes = ("numero_pret, numero_operation, siren, produit, date_signature, montant, nb_logements, zone, "
                "code_commune")
    with connection.cursor() as curseur:
        curseur.execute(f"INSERT INTO mutualisation_pret ({colonnes}) VALUES {valeurs}",  # noqa: S608 - test constants
                        [a.siren, b.siren] * 3)
        assert {s: n for s, (n, _) in _egaux().items()} == {a.siren: 3, b.siren: 3}
        curseur.execute("UPDATE mutualisation_pret SET siren = %s, montant = montant + 1 WHERE nb_logements < 4",
                        [b.siren])
        curseur.execute("DELETE FROM mutualisation_pret WHERE nb_logements = 5")
        attendu = _egaux()
        assert {s: n for s, (n, _) in attendu.items()} == {a.siren: 1, b.siren: 4}
        curseur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's transaction holds deferred key checks
        curseur.execute("ALTER TABLE mutualisation_pret DISABLE TRIGGER USER")
        curseur.execute("DELETE FROM mutualisation_pret WHERE nb_logements = 4")  # unseen by the digests
        curseur.execute("ALTER TABLE mutualisation_pret ENABLE TRIGGER USER")
        assert _tenus() != _recalcules()
        resumes.resumes_reconstruire()
    assert {s: n for s, (n, _) in _egaux().items()} == {b.siren: 4}  # a's last loan went unseen, now accounted


def test_la_migration_remplit_les_resumes_des_prets_deja_la():
    PretFactory.create_batch(3)
    attendu = _egaux()
    migration = importlib.import_module("mutualisation.migrations.0006_resumes_des_prets_tenus")
    with connection.cursor() as curseur:
        curseur.execute("DELETE FROM mutualisation_resumeprets")
        curseur.execute(migration.REMPLIR)
    assert _egaux() == attendu


OPERATIONS = st.lists(st.tuples(st.sampled_from(["creer", "modifier", "deplacer", "supprimer"]),
                                st.integers(0, 7), st.integers(0, 2)), min_size=1, max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_toute_suite_d_ecritures_laisse_les_resumes_egaux_a_leur_recalcul(operations):
    with transaction.atomic():
        organismes = [OrganismeFactory() for _ in range(3)]
        for action, numero, qui in operations:
            cle, organisme = f"H{numero}", organismes[qui]
            existe = Pret.objects.filter(pk=cle)
            if action == "creer" and not existe.exists():
                PretFactory(numero_pret=cle, organisme=organisme, nb_logements=numero + 1,
                            date_signature=date(2013, 1 + numero, 1))
            elif action == "modifier":
                existe.update(montant=Decimal(f"{numero}.{qui}1"), zone=["1", "2", ""][qui])
            elif action == "deplacer":
                existe.update(organisme=organisme)
            elif action == "supprimer":
                existe.delete()
        _egaux()
        transaction.set_rollback(True)
