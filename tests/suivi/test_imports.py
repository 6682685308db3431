"""Imports of the suivi's files (agrements, rehabilitations, objectifs) by the imports of formats.md: the happy paths
write exactly what the file says, every hostile input is refused with line-numbered French errors and nothing
changed, a duplicate file is refused, a corrected extract says what it added, replaced and left alone."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from mutualisation.enums import StatutImport, TypeImport
from mutualisation.imports import CIBLES
from mutualisation.models import ImportFichier
from mutualisation.services.imports import import_analyser, import_executer, import_soumettre
from pacte.enums import Famille
from pacte.models import Evenement, Region
from pacte.services import referentiels_charger
from suivi.models import Agrement, Objectif, Rehabilitation
from tests.factories import OrganismeFactory, siren_avec_cle

HLM, SEM, INCONNU = siren_avec_cle(11111111), siren_avec_cle(22222222), siren_avec_cle(88888888)
ENTETE_AGREMENTS = ("annee;numero_operation;code_region;code_departement;code_commune;siren;produit;nb_logements;"
                    "nature;anru")
ENTETE_REHABILITATIONS = ("annee;numero_operation;code_region;code_departement;code_commune;siren;nb_logements;"
                          "etiquette_avant;etiquette_apres;eco_pret")
ENTETE_OBJECTIFS = "annee;code_region;objectif_production;objectif_rehabilitation"


def csv(*lignes: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join(lignes) + "\n").encode()


def agrement(operation="OP1", produit="PLUS", region="11", departement="75", commune="75056", siren=HLM,
             logements="20", nature="NEUF", anru="non", annee="2013") -> str:
    return ";".join([annee, operation, region, departement, commune, siren, produit, logements, nature, anru])


def rehabilitation(operation="R1", region="93", departement="13", commune="13055", siren=HLM, logements="120",
                   avant="F", apres="C", eco_pret="oui", annee="2014") -> str:
    return ";".join([annee, operation, region, departement, commune, siren, logements, avant, apres, eco_pret])


def agrements(*lignes: str, **options) -> bytes:
    return csv(ENTETE_AGREMENTS, *lignes, **options)


def rehabilitations(*lignes: str) -> bytes:
    return csv(ENTETE_REHABILITATIONS, *lignes)


def objectifs(*lignes: str) -> bytes:
    return csv(ENTETE_OBJECTIFS, *lignes)


def soumettre(type_fichier: str, contenu: bytes, nom: str = "fichier.csv", **options) -> ImportFichier:
    return import_soumettre(acting_user=None, type_fichier=type_fichier, nom_fichier=nom, contenu=contenu, **options)


def importer(type_fichier: str, contenu: bytes, nom: str = "fichier.csv") -> ImportFichier:
    fichier = soumettre(type_fichier, contenu, nom)
    assert fichier.statut == StatutImport.IMPORTE, (fichier.message, fichier.erreurs)
    return fichier


def etat() -> dict:
    """Every row these imports may write, to check that a refused file changed nothing."""
    return {
        "agrements": list(Agrement.objects.order_by("pk").values()),
        "rehabilitations": list(Rehabilitation.objects.order_by("pk").values()),
        "objectifs": list(Objectif.objects.order_by("pk").values()),
        "evenements": Evenement.objects.filter(action="import_fichier").count(),
        "imports_reussis": ImportFichier.objects.filter(statut=StatutImport.IMPORTE).count(),
    }


def refuser(type_fichier: str, contenu: bytes, nom: str = "fichier.csv") -> ImportFichier:
    avant = etat()
    fichier = soumettre(type_fichier, contenu, nom)
    assert fichier.statut == StatutImport.REFUSE, fichier.message
    assert etat() == avant
    assert fichier.message.startswith(("Fichier refusé", "Fichier déjà importé")), fichier.message
    return fichier


def erreurs(fichier: ImportFichier) -> list[tuple[int, str, str, str]]:
    return [(e["ligne"], e["colonne"], e["valeur"], e["motif"]) for e in fichier.erreurs]


def xlsx(rangees) -> bytes:
    classeur = openpyxl.Workbook()
    for rangee in rangees:
        classeur.active.append(rangee)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


@pytest.fixture(autouse=True)
def fichiers(settings, tmp_path):
    settings.FICHIERS_DIR = tmp_path / "fichiers"


@pytest.fixture
def referentiels(db):
    """The real régions and départements (fixtures/regions.json), an Hlm organism and a SEM; INCONNU is nobody."""
    referentiels_charger()
    region = Region.objects.get(code="11")
    OrganismeFactory(siren=HLM, region=region, famille=Famille.OPH)
    OrganismeFactory(siren=SEM, region=region, famille=Famille.SEM)


def test_chaque_type_d_import_a_sa_cible():
    assert set(CIBLES) == set(TypeImport.values)
    assert {"agrements", "rehabilitations", "objectifs"} <= set(CIBLES)


# --- Agréments -----------------------------------------------------------------------------------------------------


def test_agrements_csv(referentiels):
    fichier = importer("agrements", agrements(
        agrement("OP1", "PLUS", logements="30"),
        agrement("OP1", "PLAI", logements="12"),
        agrement("OP2", "PLS", region="82", departement="69", commune="", siren=INCONNU, nature="VEFA"),
        agrement("OP3", "plai", region="94", departement="2A", commune="2A004", siren=SEM, anru="oui",
                 nature="acquisition amélioration"),
        bom=True,
    ))
    assert (fichier.nb_lignes, fichier.nb_ajoutees, fichier.nb_remplacees, fichier.nb_inchangees) == (4, 4, 0, 0)
    plus, plai = Agrement.objects.filter(numero_operation="OP1").order_by("produit").reverse()
    assert (plus.annee, plus.produit, plus.nb_logements, plus.region_id, plus.departement_id, plus.code_commune) == (
        2013, "PLUS", 30, "11", "75", "75056")
    assert (plus.siren, plus.organisme_id, plus.nature, plus.anru, plus.import_source_id) == (
        HLM, HLM, "NEUF", False, fichier.pk)
    assert plai.nb_logements == 12
    pls = Agrement.objects.get(numero_operation="OP2")
    assert (pls.siren, pls.organisme_id, pls.code_commune, pls.nature) == (INCONNU, None, "", "VEFA")
    anru = Agrement.objects.get(numero_operation="OP3")
    assert (anru.produit, anru.organisme_id, anru.anru, anru.departement_id, anru.nature) == (
        "PLAI", SEM, True, "2A", "ACQUISITION_AMELIORATION")
    evenement = Evenement.objects.get(action="import_fichier")
    assert evenement.details["import"] == fichier.pk and evenement.details["ajoutees"] == 4


def test_agrements_xlsx_en_tetes_a_la_francaise(referentiels):
    contenu = xlsx([
        ["Année", "Numéro opération", "Code région", "Code département", "Code commune", "SIREN", "Produit",
         "Nb logements", "Nature", "ANRU", "Commentaire"],
        [2014, "2014-001-00001", "82", "01", "01053", HLM, "PLUS", 25, "NEUF", "non", "à revoir"],
        [2014, "2014-001-00001", 82, "01", "01053", HLM, "PLAI", 10, "NEUF", False, None],
    ])
    fichier = importer("agrements", contenu, nom="agrements.xlsx")
    assert fichier.nb_ajoutees == 2 and fichier.colonnes_ignorees == ["Commentaire"]
    assert sorted(Agrement.objects.values_list("produit", "nb_logements", "region_id", "departement_id")) == [
        ("PLAI", 10, "82", "01"), ("PLUS", 25, "82", "01")]


def test_agrements_departement_hors_de_la_region(referentiels):
    fichier = refuser("agrements", agrements(
        agrement("OP1"), agrement("OP2", region="93", departement="75"),
        agrement("OP3", region="82", departement="13")))
    assert erreurs(fichier) == [(3, "code_departement", "75", "département hors de la région indiquée"),
                                (4, "code_departement", "13", "département hors de la région indiquée")]
    assert "2 erreur(s) sur 2 ligne(s)" in fichier.message and "Rien n'a été importé" in fichier.message


def test_agrements_produit_nature_et_codes_inconnus(referentiels):
    fichier = refuser("agrements", agrements(
        agrement("OP1", produit="PLUS_FONCIER"), agrement("OP2", nature="RENOVATION"),
        agrement("OP3", region="FR"), agrement("OP4", departement="99"), agrement("OP5", anru="peut-être"),
        agrement("OP6", siren=HLM[:8] + str((int(HLM[8]) + 1) % 10)), agrement("OP7", logements="-3"),
        agrement("OP8", annee="13")))
    assert [(ligne, colonne) for ligne, colonne, _, _ in erreurs(fichier)] == [
        (2, "produit"), (3, "nature"), (4, "code_region"), (5, "code_departement"), (6, "anru"), (7, "siren"),
        (8, "nb_logements"), (9, "annee")]
    motifs = [motif for _, _, _, motif in erreurs(fichier)]
    assert motifs[0] == "produit inconnu : attendu PLUS, PLAI, PLS"
    assert motifs[1].startswith("nature inconnue : attendu NEUF, VEFA")
    assert motifs[2].startswith("code région inconnu")
    assert motifs[3].startswith("code département inconnu")
    assert motifs[5] == "SIREN invalide (clé de Luhn)"


def test_agrements_region_absente_du_referentiel(db):
    Region.objects.create(code="11", nom="Île-de-France", metropole=True)
    fichier = refuser("agrements", agrements(agrement("OP1", region="93", departement="13")))
    assert erreurs(fichier) == [
        (2, "code_region", "93", "code région absent du référentiel des régions"),
        (2, "code_departement", "13", "code département absent du référentiel des départements")]


def test_agrements_cle_en_double_dans_le_fichier(referentiels):
    fichier = refuser("agrements", agrements(agrement("OP1"), agrement("OP1", "PLAI"), agrement("OP1")))
    assert erreurs(fichier) == [(4, "numero_operation, produit", "OP1 / PLUS",
                                 "clé en double : même numero_operation, produit qu'à la ligne 2")]


def test_agrements_fichier_en_double(referentiels):
    contenu = agrements(agrement("OP1"))
    premier = importer("agrements", contenu, nom="sisal-2013.csv")
    second = refuser("agrements", contenu, nom="sisal-2013 (copie).csv")
    assert "Fichier déjà importé" in second.message and "« sisal-2013.csv »" in second.message
    assert f"import n° {premier.pk}" in second.message


def test_agrements_extrait_corrige(referentiels):
    importer("agrements", agrements(agrement("OP1"), agrement("OP1", "PLAI", logements="8"),
                                    agrement("OP2", siren=INCONNU), agrement("OP3")))
    corrige = importer("agrements", agrements(
        agrement("OP1"),                                # unchanged
        agrement("OP1", "PLAI", logements="10"),        # replaced
        agrement("OP2", siren=INCONNU, nature="neuf"),  # same value written otherwise: unchanged
        agrement("OP4"), agrement("OP4", "PLS"),        # added
    ), nom="corrige.csv")                               # OP3 absent: left alone
    assert (corrige.nb_lignes, corrige.nb_ajoutees, corrige.nb_remplacees, corrige.nb_inchangees) == (5, 2, 1, 2)
    assert "2 ligne(s) ajoutée(s), 1 remplacée(s), 2 inchangée(s)" in corrige.message
    assert Agrement.objects.count() == 6
    assert Agrement.objects.get(numero_operation="OP1", produit="PLAI").nb_logements == 10
    assert Agrement.objects.get(numero_operation="OP1", produit="PLAI").import_source_id == corrige.pk
    assert Agrement.objects.get(numero_operation="OP1", produit="PLUS").import_source_id != corrige.pk


def test_le_siren_est_relie_a_l_organisme_importe_ensuite(referentiels):
    importer("agrements", agrements(agrement("OP1", siren=INCONNU), agrement("OP2")))
    assert Agrement.objects.get(numero_operation="OP1").organisme_id is None
    OrganismeFactory(siren=INCONNU, famille=Famille.ESH, region=Region.objects.get(code="11"))
    analyse = import_analyser(type_fichier="agrements", nom_fichier="a.csv",
                              contenu=agrements(agrement("OP1", siren=INCONNU), agrement("OP2"), agrement("OP3")))
    assert (analyse.nb_ajoutees, analyse.nb_remplacees, analyse.nb_inchangees) == (1, 1, 1)
    corrige = importer("agrements", agrements(agrement("OP1", siren=INCONNU), agrement("OP2"), agrement("OP3")))
    assert (corrige.nb_ajoutees, corrige.nb_remplacees, corrige.nb_inchangees) == (1, 1, 1)
    assert Agrement.objects.get(numero_operation="OP1").organisme_id == INCONNU


def test_agrements_apercu_sans_ecriture(referentiels):
    analyse = import_analyser(type_fichier="agrements", nom_fichier="a.csv",
                              contenu=agrements(agrement("OP1"), agrement("OP1", "PLAI")))
    assert analyse.ok and (analyse.nb_lignes, analyse.nb_ajoutees) == (2, 2)
    assert analyse.apercu[0] == {
        "ligne": 2, "annee": 2013, "numero_operation": "OP1", "code_region": "11", "code_departement": "75",
        "code_commune": "75056", "siren": HLM, "produit": "PLUS", "nb_logements": 20, "nature": "NEUF", "anru": False}
    assert not Agrement.objects.exists() and not ImportFichier.objects.exists()


def test_agrements_sur_le_worker(referentiels):
    fichier = soumettre("agrements", agrements(agrement("OP1"), agrement("OP2")), sur_le_worker=True)
    assert fichier.statut == StatutImport.EN_ATTENTE and not Agrement.objects.exists()
    fichier = import_executer(fichier.pk, travail=fichier.travail)
    assert fichier.statut == StatutImport.IMPORTE and Agrement.objects.count() == 2


def test_commande_importer_agrements(referentiels, tmp_path):
    bon, mauvais = tmp_path / "agrements_2013.csv", tmp_path / "mauvais.csv"
    bon.write_bytes(agrements(agrement("OP1"), agrement("OP1", "PLAI")))
    mauvais.write_bytes(agrements(agrement("OP9"), agrement("OP9", "PLAI", region="93")))
    sortie = io.StringIO()
    call_command("importer", "agrements", str(bon), stdout=sortie)
    assert "2 ligne(s) ajoutée(s), 0 remplacée(s), 0 inchangée(s)" in sortie.getvalue()
    with pytest.raises(CommandError) as refus:
        call_command("importer", "agrements", str(mauvais), stdout=io.StringIO())
    assert "3  code_departement" in str(refus.value) and "département hors de la région indiquée" in str(refus.value)
    with pytest.raises(CommandError, match="déjà importé"):
        call_command("importer", "agrements", str(bon), stdout=io.StringIO())
    assert Agrement.objects.count() == 2


# --- Réhabilitations -----------------------------------------------------------------------------------------------


def test_rehabilitations_csv_et_xlsx(referentiels):
    fichier = importer("rehabilitations", rehabilitations(
        rehabilitation("R1"), rehabilitation("R2", siren=INCONNU, avant="e", apres="b", eco_pret="non", commune="")))
    assert (fichier.nb_ajoutees, fichier.nb_remplacees) == (2, 0)
    r1, r2 = Rehabilitation.objects.order_by("numero_operation")
    assert (r1.annee, r1.region_id, r1.departement_id, r1.nb_logements, r1.etiquette_avant, r1.etiquette_apres,
            r1.eco_pret, r1.organisme_id) == (2014, "93", "13", 120, "F", "C", True, HLM)
    assert (r2.etiquette_avant, r2.etiquette_apres, r2.eco_pret, r2.organisme_id, r2.code_commune) == (
        "E", "B", False, None, "")
    classeur = xlsx([ENTETE_REHABILITATIONS.split(";"), [2015, "R3", "53", "35", "35238", SEM, 60, "G", "D", "oui"]])
    importer("rehabilitations", classeur, nom="rehabilitations.xlsx")
    assert Rehabilitation.objects.get(numero_operation="R3").organisme_id == SEM


def test_rehabilitations_etiquette_invalide_et_departement_hors_region(referentiels):
    fichier = refuser("rehabilitations", rehabilitations(
        rehabilitation("R1", avant="H"), rehabilitation("R2"), rehabilitation("R3", apres=""),
        rehabilitation("R4", departement="75"), rehabilitation("R5", eco_pret="sans doute")))
    assert erreurs(fichier) == [
        (2, "etiquette_avant", "H", "étiquette énergie inconnue : attendu A, B, C, D, E, F, G"),
        (4, "etiquette_apres", "", "valeur obligatoire manquante"),
        (5, "code_departement", "75", "département hors de la région indiquée"),
        (6, "eco_pret", "sans doute", fichier.erreurs[3]["motif"]),
    ]
    assert fichier.erreurs[3]["motif"].startswith("booléen")


def test_rehabilitations_extrait_corrige_et_doublon(referentiels):
    premier = rehabilitations(rehabilitation("R1"), rehabilitation("R2"), rehabilitation("R3"))
    importer("rehabilitations", premier)
    corrige = importer("rehabilitations", rehabilitations(
        rehabilitation("R1"), rehabilitation("R2", apres="B"), rehabilitation("R4")))
    assert (corrige.nb_ajoutees, corrige.nb_remplacees, corrige.nb_inchangees) == (1, 1, 1)
    assert Rehabilitation.objects.get(numero_operation="R2").etiquette_apres == "B"
    assert Rehabilitation.objects.count() == 4
    assert "déjà importé" in refuser("rehabilitations", premier).message


# --- Objectifs -----------------------------------------------------------------------------------------------------


def test_objectifs_ligne_nationale_et_regions(referentiels):
    fichier = importer("objectifs", objectifs("2013;FR;120 000;100000", "2013;11;36 215;27 953", "2013;93;11250;7000",
                                              "2014;FR;120000;100000"))
    assert fichier.nb_ajoutees == 4
    national = Objectif.objects.get(annee=2013, region__isnull=True)
    assert (national.objectif_production, national.objectif_rehabilitation) == (120_000, 100_000)
    assert Objectif.objects.get(annee=2013, region_id="11").objectif_production == 36_215
    contenu = objectifs("2013;FR;120000;100000", "2014;FR;118000;100000", "2013;11;36215;27953",
                        "2015;FR;120000;100000")
    analyse = import_analyser(type_fichier="objectifs", nom_fichier="objectifs.csv", contenu=contenu)
    assert (analyse.nb_ajoutees, analyse.nb_remplacees, analyse.nb_inchangees) == (1, 1, 2)
    corrige = importer("objectifs", contenu)
    assert (corrige.nb_ajoutees, corrige.nb_remplacees, corrige.nb_inchangees) == (1, 1, 2)
    assert Objectif.objects.filter(region__isnull=True).count() == 3
    assert Objectif.objects.get(annee=2014, region__isnull=True).objectif_production == 118_000
    assert Objectif.objects.count() == 5


def test_objectifs_refuses(referentiels):
    importer("objectifs", objectifs("2013;FR;120000;100000"))
    fichier = refuser("objectifs", objectifs(
        "2013;FR;120000;100000", "2013;fr;110000;100000", "2013;99;1000;1000", "2013;11;-5;1000", "2013;;1000;1000"))
    assert [(ligne, colonne) for ligne, colonne, _, _ in erreurs(fichier)] == [
        (3, "annee, code_region"), (4, "code_region"), (5, "objectif_production"), (6, "code_region")]
    assert erreurs(fichier)[0][3] == "clé en double : même annee, code_region qu'à la ligne 2"


def test_objectifs_region_absente_du_referentiel(db):
    Region.objects.create(code="11", nom="Île-de-France", metropole=True)
    fichier = refuser("objectifs", objectifs("2013;FR;1;1", "2013;11;1;1", "2013;82;1;1"))
    assert erreurs(fichier) == [(4, "code_region", "82", "code région absent du référentiel des régions "
                                                          "(ou FR pour la ligne nationale)")]


def test_objectifs_tableur_entier_et_commande(referentiels, tmp_path):
    chemin = tmp_path / "objectifs.xlsx"
    chemin.write_bytes(xlsx([ENTETE_OBJECTIFS.split(";"), [2015, "FR", 120000, 100000], [2015, 93, 11250, 7000],
                             [2015, "01", 500, 400]]))
    sortie = io.StringIO()
    call_command("importer", "objectifs", str(chemin), stdout=sortie)
    assert "3 ligne(s) ajoutée(s)" in sortie.getvalue()
    assert set(Objectif.objects.values_list("region_id", flat=True)) == {None, "93", "01"}
    assert Objectif.objects.get(region_id="01").objectif_production == 500


def test_objectif_national_unique_en_base(referentiels):
    from django.db import IntegrityError, transaction

    Objectif.objects.create(annee=2013, region=None, objectif_production=1, objectif_rehabilitation=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Objectif.objects.create(annee=2013, region=None, objectif_production=2, objectif_rehabilitation=2)
    assert Objectif.objects.get().objectif_production == 1
