"""A loan's import (Pret.import_source) and a result line's run (ResultatOrganisme.calcul) are checked by triggers,
once per statement, instead of a foreign key checked once per row (mutualisation.provenance, docs/performances.md):
what the key guaranteed still holds, raw SQL included, with the key's error code."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from mutualisation.models import Calcul, ImportFichier, Pret, ResultatOrganisme
from tests.factories import CalculFactory, ImportFichierFactory, OrganismeFactory, PretFactory

pytestmark = pytest.mark.django_db


def _refuse(sql: str, parametres: list, message: str) -> None:
    with pytest.raises(IntegrityError, match=message) as erreur, transaction.atomic(), connection.cursor() as curseur:
        curseur.execute(sql, parametres)
    assert erreur.value.__cause__.sqlstate == "23503"  # foreign_key_violation, as the key raised


def test_plus_de_cle_etrangere_mais_un_index_sur_la_provenance():
    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'mutualisation_pret'"
                        "::regclass AND contype = 'f'")
        cles = [definition for (definition,) in curseur.fetchall()]
        curseur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'mutualisation_pret'")
        index = [definition for (definition,) in curseur.fetchall()]
    assert not [cle for cle in cles if "import_source" in cle] and [cle for cle in cles if "(siren)" in cle]
    assert [definition for definition in index if "(import_source_id)" in definition]


def test_un_pret_ne_peut_nommer_un_import_inexistant():
    organisme, fichier = OrganismeFactory(), ImportFichierFactory(type_fichier="prets")
    inexistant = fichier.pk + 1000
    insertion = ("INSERT INTO mutualisation_pret (numero_pret, numero_operation, siren, produit, date_signature, "
                 "montant, nb_logements, zone, code_commune, import_source_id) "
                 "VALUES (%s, '', %s, 'PLUS', '2013-01-01', 1, 1, '1', '', %s)")
    _refuse(insertion, ["X1", organisme.siren, inexistant], "Prêt rattaché à un import inexistant \\(INSERT")
    with pytest.raises(IntegrityError), transaction.atomic():
        PretFactory(organisme=organisme, import_source_id=inexistant)
    pret = PretFactory(organisme=organisme, import_source=fichier)  # an existing import, or none: accepted
    sans = PretFactory(organisme=organisme, import_source=None)
    _refuse("UPDATE mutualisation_pret SET import_source_id = %s WHERE numero_pret = %s", [inexistant, sans.pk],
            "Prêt rattaché à un import inexistant \\(UPDATE")
    assert Pret.objects.get(pk=sans.pk).import_source_id is None
    with connection.cursor() as curseur:  # several rows in one statement, all known: one check, accepted
        curseur.execute(insertion.replace("%s)", "%s), (%s, '', %s, 'PLUS', '2013-01-01', 1, 1, '1', '', %s)"),
                        ["X2", organisme.siren, fichier.pk, "X3", organisme.siren, None])
    assert Pret.objects.filter(import_source=fichier).count() == 2 and pret.import_source_id == fichier.pk


def test_un_import_dont_proviennent_des_prets_ne_peut_etre_supprime_ni_renumerote():
    fichier, libre = ImportFichierFactory(type_fichier="prets"), ImportFichierFactory(type_fichier="prets")
    PretFactory(import_source=fichier)
    _refuse("DELETE FROM mutualisation_importfichier WHERE id = %s", [fichier.pk],
            f"Import n° {fichier.pk} : des prêts en proviennent, DELETE refusé")
    _refuse("UPDATE mutualisation_importfichier SET id = %s WHERE id = %s", [fichier.pk + 1000, fichier.pk],
            "des prêts en proviennent, UPDATE refusé")
    with pytest.raises(ProtectedError), transaction.atomic():  # the ORM's PROTECT, as before
        fichier.delete()
    ImportFichier.objects.filter(pk=fichier.pk).update(message="relu")  # other columns: free
    libre.delete()  # an import no loan names: deleted
    assert list(ImportFichier.objects.values_list("pk", flat=True)) == [fichier.pk]


RESULTAT = ("INSERT INTO mutualisation_resultatorganisme (calcul_id, organisme_id, exonere, aide_production, "
            "aide_rehabilitation, aide_restructuration, ajustements, aide_totale, part_cotisation_cglls, part_loyers, "
            "part_patrimoine, contribution, solde, sens, explication) "
            "VALUES (%s, %s, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'nul', '{}')")


def test_une_ligne_de_resultat_ne_peut_nommer_un_calcul_inexistant_ni_son_calcul_disparaitre():
    with connection.cursor() as curseur:
        curseur.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = 'mutualisation_resultatorganisme'"
                        "::regclass AND contype = 'f' AND pg_get_constraintdef(oid) LIKE '%%(calcul_id)%%'")
        assert curseur.fetchone()[0] == 0  # no key: the triggers below
    organisme, calcul = OrganismeFactory(), CalculFactory()
    _refuse(RESULTAT, [calcul.pk + 1000, organisme.siren], "Résultat rattaché à un calcul inexistant \\(INSERT")
    with connection.cursor() as curseur:
        curseur.execute(RESULTAT, [calcul.pk, organisme.siren])  # an existing run: accepted
    _refuse("UPDATE mutualisation_resultatorganisme SET calcul_id = %s", [calcul.pk + 1000],
            "Résultat rattaché à un calcul inexistant \\(UPDATE")
    _refuse("DELETE FROM mutualisation_calcul WHERE id = %s", [calcul.pk],
            f"Calcul n° {calcul.pk} : des résultats en dépendent, DELETE refusé")
    _refuse("UPDATE mutualisation_calcul SET id = %s WHERE id = %s", [calcul.pk + 1000, calcul.pk],
            "des résultats en dépendent, UPDATE refusé")
    Calcul.objects.filter(pk=calcul.pk).update(avancement=50)  # its status, its progress: accepted
    Calcul.objects.get(pk=calcul.pk).delete()  # the ORM deletes its lines first (CASCADE), then the run
    assert not ResultatOrganisme.objects.exists() and not Calcul.objects.filter(pk=calcul.pk).exists()
