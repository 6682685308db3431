"""Imports of formats.md files (organismes, bases, prets, restructurations): every hostile input is refused with
nothing changed, and the happy paths write exactly what the file says."""

import datetime as dt
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from mutualisation.enums import StatutImport
from mutualisation.models import BaseAnnuelle, ImportFichier, Pret, Restructuration
from mutualisation.services.imports import (
    ErreurImport,
    import_analyser,
    import_executer,
    import_soumettre,
)
from pacte.enums import StatutTravail
from pacte.env import url_postgres
from pacte.models import Evenement, Organisme, Travail
from tests.factories import CampagneFactory, OrganismeFactory, RegionFactory, siren_avec_cle

S1, S2, S3 = siren_avec_cle(11111111), siren_avec_cle(22222222), siren_avec_cle(33333333)
ENTETE_PRETS = "numero_pret;numero_operation;siren;produit;date_signature;montant;nb_logements;zone;code_commune"


def siren_faux(siren: str) -> str:
    """The same SIREN with a wrong Luhn check digit."""
    return siren[:8] + str((int(siren[8]) + 1) % 10)


def csv(*lignes: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join(lignes) + "\n").encode()


def pret(numero="P1", operation="OP1", siren=S1, produit="PLUS", date="2013-05-17", montant="1000,00",
         logements="10", zone="1", commune="75056") -> str:
    return ";".join([numero, operation, siren, produit, date, montant, logements, zone, commune])


def prets(*lignes: str, **options) -> bytes:
    return csv(ENTETE_PRETS, *lignes, **options)


def soumettre(type_fichier: str, contenu: bytes, nom: str = "fichier.csv", **options) -> ImportFichier:
    return import_soumettre(acting_user=None, type_fichier=type_fichier, nom_fichier=nom, contenu=contenu, **options)


def etat() -> dict:
    """Every row the imports may write, to check that a refused file changed nothing."""
    return {
        "organismes": list(Organisme.objects.order_by("siren").values()),
        "bases": list(BaseAnnuelle.objects.order_by("pk").values()),
        "prets": list(Pret.objects.order_by("pk").values()),
        "restructurations": list(Restructuration.objects.order_by("pk").values()),
        "evenements": Evenement.objects.count(),
        "imports_reussis": ImportFichier.objects.filter(statut=StatutImport.IMPORTE).count(),
    }


def motifs(fichier: ImportFichier) -> list[tuple[int, str, str]]:
    return [(e["ligne"], e["colonne"], e["motif"]) for e in fichier.erreurs]


@pytest.fixture(autouse=True)
def fichiers(settings, tmp_path):
    settings.FICHIERS_DIR = tmp_path / "fichiers"


@pytest.fixture
def organismes(db):
    region = RegionFactory()
    return [OrganismeFactory(siren=siren, region=region) for siren in (S1, S2, S3)]


@pytest.fixture
def deja_importe(organismes):
    """One loan stored by an earlier import, and the state to compare against."""
    fichier = soumettre("prets", prets(pret("P0", "OP9", S1, zone="2")), nom="premier.csv")
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    return etat()


def refuser(contenu: bytes, avant: dict, nom: str = "prets.csv", type_fichier: str = "prets") -> ImportFichier:
    fichier = soumettre(type_fichier, contenu, nom=nom)
    assert fichier.statut == StatutImport.REFUSE, fichier.message
    assert etat() == avant
    assert fichier.message.startswith(("Fichier refusé", "Fichier déjà importé")), fichier.message
    return fichier


# --- Hostile inputs: refused, nothing changed --------------------------------------------------------------------


def test_siren_a_la_cle_de_luhn_fausse(deja_importe):
    fichier = refuser(prets(pret("P1"), pret("P2", siren=siren_faux(S2))), deja_importe)
    assert motifs(fichier) == [(3, "siren", "SIREN invalide (clé de Luhn)")]
    assert fichier.erreurs[0]["valeur"] == siren_faux(S2)


def test_siren_inconnu_du_referentiel(deja_importe):
    inconnu = siren_avec_cle(44444444)
    fichier = refuser(prets(pret("P1", siren=inconnu), pret("P2", "OP2")), deja_importe)
    assert [(e["ligne"], e["colonne"], e["valeur"]) for e in fichier.erreurs] == [(2, "siren", inconnu)]
    assert fichier.erreurs[0]["motif"].startswith("SIREN inconnu")


def test_montant_negatif(deja_importe):
    fichier = refuser(prets(pret("P1", montant="-1 000,00")), deja_importe)
    assert motifs(fichier) == [(2, "montant", "montant négatif interdit")]


def test_produit_inconnu(deja_importe):
    fichier = refuser(prets(pret("P1"), pret("P2"), pret("P3", produit="PLOUF")), deja_importe)
    assert [(e["ligne"], e["colonne"]) for e in fichier.erreurs] == [(4, "produit")]
    assert fichier.erreurs[0]["motif"].startswith("produit inconnu")


def test_zone_inconnue(deja_importe):
    fichier = refuser(prets(pret("P1", zone="4")), deja_importe)
    assert [(e["ligne"], e["colonne"], e["valeur"]) for e in fichier.erreurs] == [(2, "zone", "4")]


def test_zone_manquante_sur_un_pret_plus(deja_importe):
    fichier = refuser(prets(pret("P1", produit="PLS", zone=""), pret("P2", operation="OP2", zone="")),
                      deja_importe)
    assert [(e["ligne"], e["colonne"]) for e in fichier.erreurs] == [(3, "zone")]
    assert "zone obligatoire" in fichier.erreurs[0]["motif"]


def test_date_invalide(deja_importe):
    fichier = refuser(prets(pret("P1", date="31/02/2013"), pret("P2", date="2013/05/17")), deja_importe)
    assert [(e["ligne"], e["colonne"]) for e in fichier.erreurs] == [(2, "date_signature"), (3, "date_signature")]


def test_chaque_ligne_fautive_est_listee(deja_importe):
    fichier = refuser(
        prets(pret("P1", siren="123"), pret("P2"), pret("P3", montant="abc", zone="9"), pret("P4", date="")),
        deja_importe,
    )
    assert [(e["ligne"], e["colonne"]) for e in fichier.erreurs] == [
        (2, "siren"), (4, "montant"), (4, "zone"), (5, "date_signature")]
    assert "4 erreur(s) sur 3 ligne(s)" in fichier.message


def test_operation_dont_les_prets_n_ont_pas_le_meme_organisme(deja_importe):
    fichier = refuser(prets(pret("P1", "OP1", S1), pret("P2", "OP1", S2), pret("P3", "OP2", S3)), deja_importe)
    assert [(e["ligne"], e["colonne"], e["valeur"]) for e in fichier.erreurs] == [
        (2, "numero_operation", "OP1"), (3, "numero_operation", "OP1")]
    assert S1 in fichier.erreurs[0]["motif"] and S2 in fichier.erreurs[0]["motif"]
    assert "Opérations dont les prêts n'ont pas tous le même organisme et la même zone : OP1." in fichier.message


def test_operation_dont_les_prets_n_ont_pas_la_meme_zone(deja_importe):
    fichier = refuser(prets(pret("P1", "OP1", zone="1"), pret("P2", "OP1", produit="PLAI", zone="2")),
                      deja_importe)
    assert [e["ligne"] for e in fichier.erreurs] == [2, 3]
    assert "OP1" in fichier.message


def test_operation_en_desaccord_avec_un_pret_deja_en_base(deja_importe):
    # P0 (OP9, S1, zone 2) is stored; a new loan of OP9 in zone 1 contradicts it.
    fichier = refuser(prets(pret("P1", "OP9", S1, zone="1")), deja_importe)
    assert [(e["ligne"], e["valeur"]) for e in fichier.erreurs] == [(2, "OP9")]
    assert "P0" in fichier.erreurs[0]["motif"]
    assert "OP9" in fichier.message


def test_un_pret_remplace_n_est_juge_que_sur_sa_nouvelle_ligne(deja_importe):
    """P0 moves to zone 1 in the corrected extract: the stored zone 2 no longer counts."""
    fichier = soumettre("prets", prets(pret("P0", "OP9", S1, zone="1"), pret("P1", "OP9", S1, zone="1")))
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    assert (fichier.nb_ajoutees, fichier.nb_remplacees, fichier.nb_inchangees) == (1, 1, 0)


def test_fichier_en_double_meme_octets(deja_importe):
    contenu = prets(pret("P1"), pret("P2", "OP2"))
    premier = soumettre("prets", contenu, nom="extrait.csv")
    assert premier.statut == StatutImport.IMPORTE
    avant = etat()
    second = refuser(contenu, avant, nom="extrait.csv")
    assert "déjà importé" in second.message and "« extrait.csv »" in second.message
    assert f"import n° {premier.pk}" in second.message
    assert f"le {timezone.localtime(premier.created_at):%d/%m/%Y à %H:%M}" in second.message


def test_meme_contenu_sous_un_autre_nom(deja_importe):
    contenu = prets(pret("P1"))
    premier = soumettre("prets", contenu, nom="janvier.csv")
    second = refuser(contenu, etat(), nom="copie de janvier.csv")
    assert "« janvier.csv »" in second.message and f"n° {premier.pk}" in second.message


def test_un_fichier_refuse_peut_etre_soumis_de_nouveau_une_fois_corrige(organismes):
    contenu = prets(pret("P1", siren=siren_faux(S1)))
    assert soumettre("prets", contenu).statut == StatutImport.REFUSE
    assert soumettre("prets", contenu).statut == StatutImport.REFUSE  # a refused file is no duplicate
    assert soumettre("prets", prets(pret("P1"))).statut == StatutImport.IMPORTE


def test_xlsx_endommage(deja_importe):
    classeur = _xlsx([ENTETE_PRETS.split(";"), pret("P1").split(";")])
    fichier = refuser(classeur[: len(classeur) // 2], deja_importe, nom="prets.xlsx")
    assert "XLSX" in fichier.message


def test_fichier_qui_n_est_pas_un_classeur(deja_importe):
    fichier = refuser(b"ceci n'est pas un zip", deja_importe, nom="prets.xlsx")
    assert "n'est pas un classeur XLSX valide" in fichier.message


def test_colonne_obligatoire_absente(deja_importe):
    fichier = refuser(csv("numero_pret;siren", f"P1;{S1}"), deja_importe)
    assert {(e["ligne"], e["motif"]) for e in fichier.erreurs} >= {(1, "colonne obligatoire absente de l'en-tête")}


def test_numero_de_pret_plus_long_que_la_colonne(deja_importe):
    fichier = refuser(prets(pret("P" * 41)), deja_importe)
    assert motifs(fichier) == [(2, "numero_pret", "texte trop long (40 caractères au plus)")]


def test_cle_en_double_dans_le_fichier(deja_importe):
    fichier = refuser(prets(pret("P1"), pret("P1", "OP2")), deja_importe)
    assert [(e["ligne"], e["colonne"]) for e in fichier.erreurs] == [(3, "numero_pret")]


def test_toutes_les_erreurs_comptees_les_premieres_gardees(deja_importe):
    from mutualisation.imports import ERREURS_MAX

    fichier = refuser(prets(*(pret(f"P{n}", f"OP{n}", montant="-1") for n in range(ERREURS_MAX + 5))), deja_importe)
    assert f"{ERREURS_MAX + 5} erreur(s) sur {ERREURS_MAX + 5} ligne(s)" in fichier.message
    assert len(fichier.erreurs) == ERREURS_MAX and fichier.erreurs[-1]["ligne"] == ERREURS_MAX + 1


def test_annee_figee_par_une_campagne_validee(deja_importe):
    CampagneFactory(annee=2013, validee=True)
    fichier = refuser(prets(pret("P1", date="2013-03-01"), pret("P2", "OP2", date="2014-03-01")), deja_importe)
    assert [(e["ligne"], e["colonne"]) for e in fichier.erreurs] == [(2, "date_signature")]
    assert "année 2013 figée" in fichier.erreurs[0]["motif"]


def test_fichier_sans_ligne(deja_importe):
    fichier = refuser(prets(), deja_importe)
    assert "aucune ligne" in fichier.message


def test_type_inconnu(db):
    with pytest.raises(ErreurImport, match="Type de fichier inconnu"):
        soumettre("logements_vacants", b"x")
    assert not ImportFichier.objects.exists()


# --- Happy paths -------------------------------------------------------------------------------------------------


def test_csv_point_virgule_avec_bom_et_decimales_francaises(organismes):
    contenu = prets(pret("P1", montant="1 234,56", date="17/05/2013"), pret("P2", "", produit="PAM", zone="",
                                                                          montant="2\u00a0000\u00a0000,5 €"),
                    bom=True)
    fichier = soumettre("prets", contenu)
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    p1, p2 = Pret.objects.order_by("numero_pret")
    assert (p1.montant, p1.date_signature, p1.organisme_id, p1.zone) == (
        Decimal("1234.56"), dt.date(2013, 5, 17), S1, "1")
    assert (p2.montant, p2.numero_operation, p2.zone) == (Decimal("2000000.50"), "", "")
    assert {p1.import_source_id, p2.import_source_id} == {fichier.pk}
    assert (fichier.nb_lignes, fichier.nb_ajoutees, fichier.nb_remplacees, fichier.nb_inchangees) == (2, 2, 0, 0)


def test_csv_virgule(organismes):
    contenu = csv(ENTETE_PRETS.replace(";", ","), f'P1,OP1,{S1},PLUS,2013-05-17,"1234,50",10,1bis,2A004')
    fichier = soumettre("prets", contenu)
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    pret_ = Pret.objects.get()
    assert (pret_.montant, pret_.zone, pret_.code_commune) == (Decimal("1234.50"), "1bis", "2A004")


def _xlsx(rangees) -> bytes:
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    for rangee in rangees:
        feuille.append(rangee)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def test_xlsx(organismes):
    contenu = _xlsx([
        ENTETE_PRETS.split(";"),
        ["P1", "OP1", S1, "PLUS", dt.date(2013, 5, 17), 1234.56, 10, "1", "75056"],
        ["P2", None, S2, "ECO_PRET", "17/06/2014", "2 000,00", 0, None, None],
    ])
    fichier = soumettre("prets", contenu, nom="prets.xlsx")
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    p1, p2 = Pret.objects.order_by("numero_pret")
    assert (p1.date_signature, p1.montant, p1.nb_logements) == (dt.date(2013, 5, 17), Decimal("1234.56"), 10)
    assert (p2.date_signature, p2.montant, p2.produit) == (dt.date(2014, 6, 17), Decimal("2000.00"), "ECO_PRET")


def test_colonnes_melangees_entetes_accentues_et_colonne_inconnue(organismes):
    contenu = csv(
        "Montant ; ZONE;Commentaire;Numéro Prêt;SIREN;Produit;DATE SIGNATURE;nb_logements;Numéro_Opération;"
        "Code_Commune",
        f"1000;2;à revoir;P1;{S2};plai;2013-01-02;5;OP1;",
    )
    fichier = soumettre("prets", contenu)
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    assert fichier.colonnes_ignorees == ["Commentaire"]
    pret_ = Pret.objects.get()
    assert (pret_.produit, pret_.zone, pret_.montant, pret_.organisme_id) == ("PLAI", "2", Decimal("1000.00"), S2)
    assert "Colonnes ignorées : Commentaire." in _sortie("prets", contenu, "autre.csv")


def _sortie(type_fichier, contenu, nom) -> str:
    analyse = import_analyser(type_fichier=type_fichier, nom_fichier=nom, contenu=contenu)
    return analyse.rapport()


def test_extrait_corrige_remplace_par_cle_et_compte(organismes):
    premier = prets(pret("P1"), pret("P2", "OP2"), pret("P3", "OP3"), pret("P4", "OP4"))
    assert soumettre("prets", premier).nb_ajoutees == 4
    corrige = prets(
        pret("P1"),                              # unchanged
        pret("P2", "OP2", montant="2000,00"),    # replaced
        pret("P3", "OP3", montant="1 000,00 €"),  # same value written otherwise: unchanged
        pret("P5", "OP5"), pret("P6", "OP6"),    # added
    )                                            # P4 absent: left alone
    fichier = soumettre("prets", corrige, nom="corrige.csv")
    assert (fichier.nb_lignes, fichier.nb_ajoutees, fichier.nb_remplacees, fichier.nb_inchangees) == (5, 2, 1, 2)
    assert "2 ligne(s) ajoutée(s), 1 remplacée(s), 2 inchangée(s)" in fichier.message
    assert Pret.objects.count() == 6
    assert Pret.objects.get(pk="P2").montant == Decimal("2000.00")
    assert Pret.objects.get(pk="P2").import_source_id == fichier.pk
    assert Pret.objects.get(pk="P1").import_source_id != fichier.pk


def test_evenement_d_audit_dans_la_meme_transaction(organismes, django_user_model):
    from tests.factories import UtilisateurFactory

    utilisateur = UtilisateurFactory(role="")
    fichier = import_soumettre(acting_user=utilisateur, type_fichier="prets", nom_fichier="p.csv",
                               contenu=prets(pret("P1")))
    evenement = Evenement.objects.get(action="import_fichier")
    assert evenement.auteur == utilisateur and fichier.cree_par == utilisateur
    assert evenement.details["import"] == fichier.pk and evenement.details["ajoutees"] == 1
    assert Path(fichier.chemin).read_bytes() == prets(pret("P1"))
    assert Path(fichier.chemin).is_relative_to(django_settings.FICHIERS_DIR)


def test_organismes_import_et_region_inconnue(db):
    RegionFactory()
    entete = "siren;raison_sociale;famille;code_region;metropole"
    fichier = soumettre("organismes", csv(entete, f"{S1};OPH de Paris;OPH;11;oui", f"{S2};ESH « Sud »;ESH;11;non"))
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    assert Organisme.objects.get(pk=S2).raison_sociale == "ESH « Sud »"
    avant = etat()
    refuse = refuser(csv(entete, f"{S3};Coop;COOP;93;oui"), avant, type_fichier="organismes")
    assert motifs(refuse) == [(2, "code_region", "code région absent du référentiel des régions")]
    corrige = soumettre("organismes", csv(entete, f"{S1};OPH de Paris Habitat;OPH;11;1", f"{S2};ESH « Sud »;ESH;11;0"))
    assert (corrige.nb_ajoutees, corrige.nb_remplacees, corrige.nb_inchangees) == (0, 1, 1)
    assert Organisme.objects.get(pk=S1).raison_sociale == "OPH de Paris Habitat"


def test_bases_et_extrait_corrige(organismes):
    entete = "siren;annee;patrimoine_locatif;loyers;logements;cotisation_cglls;plan_cglls"
    fichier = soumettre("bases", csv(entete, f"{S1};2013;1 000;5 000 000,00;1 100;12 000,50;",
                                     f"{S2};2013;500;2 000 000;500;6 000;consolidation"))
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    base = BaseAnnuelle.objects.get(organisme_id=S1)
    assert (base.loyers, base.cotisation_cglls, base.plan_cglls) == (Decimal("5000000.00"), Decimal("12000.50"),
                                                                     "AUCUN")
    corrige = soumettre("bases", csv(entete, f"{S1};2013;1000;5000000;1100;12000,5;AUCUN",
                                     f"{S2};2013;500;2 000 000;500;6 000;RETABLISSEMENT",
                                     f"{S2};2014;510;2 100 000;510;6 100;"))
    assert (corrige.nb_ajoutees, corrige.nb_remplacees, corrige.nb_inchangees) == (1, 1, 1)
    assert BaseAnnuelle.objects.get(organisme_id=S2, annee=2013).plan_cglls == "RETABLISSEMENT"


def test_restructurations(organismes):
    entete = "siren;annee;nb_logements;zone_detendue;code_commune;reference"
    fichier = soumettre("restructurations", csv(entete, f"{S1};2013;12;oui;;R-1", f"{S1};2013;3;non;59350;R-2",
                                                f"{S2};2013;7;true;;R-1"))
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    assert Restructuration.objects.filter(zone_detendue=True).count() == 2
    corrige = soumettre("restructurations", csv(entete, f"{S1};2013;12;oui;;R-1", f"{S1};2013;4;non;59350;R-2"))
    assert (corrige.nb_ajoutees, corrige.nb_remplacees, corrige.nb_inchangees) == (0, 1, 1)


def test_texte_avec_tabulation_et_barre_oblique(db):
    RegionFactory()
    entete = "siren;raison_sociale;famille;code_region;metropole"
    nom = 'OPH "A\\B"\tC'
    fichier = soumettre("organismes", csv(entete, f'{S1};"OPH ""A\\B""\tC";OPH;11;oui'))
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    assert Organisme.objects.get().raison_sociale == nom


# --- Preview -----------------------------------------------------------------------------------------------------


def test_analyse_sans_ecriture(deja_importe):
    contenu = prets(*(pret(f"P{n}", f"OPX{n}") for n in range(1, 31)), pret("P0", "OP9", S1, zone="2"))
    analyse = import_analyser(type_fichier="prets", nom_fichier="prets.csv", contenu=contenu)
    assert etat() == deja_importe and ImportFichier.objects.count() == 1
    assert analyse.ok, analyse.message
    assert (analyse.nb_lignes, analyse.nb_ajoutees, analyse.nb_remplacees, analyse.nb_inchangees) == (31, 30, 0, 1)
    assert len(analyse.apercu) == 20
    assert analyse.apercu[0] == {
        "ligne": 2, "numero_pret": "P1", "numero_operation": "OPX1", "siren": S1, "produit": "PLUS",
        "date_signature": dt.date(2013, 5, 17), "montant": Decimal("1000.00"), "nb_logements": 10, "zone": "1",
        "code_commune": "75056",
    }
    assert "30 à ajouter" in analyse.message


def test_analyse_d_un_fichier_refuse_et_d_un_doublon(deja_importe):
    analyse = import_analyser(type_fichier="prets", nom_fichier="p.csv",
                              contenu=prets(pret("P1", "OP9", zone="1")))
    assert not analyse.ok and [e.ligne for e in analyse.erreurs] == [2]
    assert "OP9" in analyse.rapport()
    doublon = import_analyser(type_fichier="prets", nom_fichier="autre.csv",
                              contenu=prets(pret("P0", "OP9", S1, zone="2")))
    assert not doublon.ok and doublon.doublon is not None and "« premier.csv »" in doublon.message
    illisible = import_analyser(type_fichier="prets", nom_fichier="p.xlsx", contenu=b"PK\x03\x04abc")
    assert not illisible.ok and "XLSX" in illisible.message
    assert etat() == deja_importe


# --- Command line ------------------------------------------------------------------------------------------------


def test_commande_importe_et_affiche_les_comptes(organismes, tmp_path):
    chemin = tmp_path / "prets.csv"
    chemin.write_bytes(csv(ENTETE_PRETS + ";remarque", pret("P1") + ";x", pret("P2", "OP2") + ";y"))
    sortie = io.StringIO()
    call_command("importer", "prets", str(chemin), stdout=sortie)
    assert "2 ligne(s) ajoutée(s), 0 remplacée(s), 0 inchangée(s)" in sortie.getvalue()
    assert "Colonnes ignorées : remarque." in sortie.getvalue()
    with pytest.raises(CommandError, match="déjà importé"):
        call_command("importer", "prets", str(chemin), stdout=io.StringIO())


def test_commande_refuse_avec_les_numeros_de_ligne(organismes, tmp_path):
    chemin = tmp_path / "prets.csv"
    chemin.write_bytes(prets(pret("P1"), pret("P2", siren=siren_faux(S1)), pret("P3", montant="-5")))
    with pytest.raises(CommandError) as refus:
        call_command("importer", "prets", str(chemin), stdout=io.StringIO())
    texte = str(refus.value)
    assert "Fichier refusé : 2 erreur(s) sur 2 ligne(s)" in texte
    assert "3  siren" in texte and "SIREN invalide (clé de Luhn)" in texte
    assert "4  montant" in texte and "montant négatif interdit" in texte
    assert not Pret.objects.exists()


def test_commande_fichier_absent(db, tmp_path):
    with pytest.raises(CommandError, match="Fichier illisible"):
        call_command("importer", "prets", str(tmp_path / "absent.csv"))


def _manage_importer(*arguments, var: Path) -> subprocess.CompletedProcess:
    environnement = {**os.environ, "DATABASE_URL": url_postgres(connection.settings_dict), "PACTE_VAR_DIR": str(var)}
    return subprocess.run(
        [sys.executable, "manage.py", "importer", *arguments], cwd=django_settings.BASE_DIR, env=environnement,
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_vrai_processus_manage_py_importer(tmp_path):
    region = RegionFactory()
    OrganismeFactory(siren=S1, region=region)
    bon, mauvais = tmp_path / "bon.csv", tmp_path / "mauvais.csv"
    bon.write_bytes(prets(pret("P1")))
    mauvais.write_bytes(prets(pret("P2"), pret("P3", siren=siren_faux(S1))))
    reussi = _manage_importer("prets", str(bon), var=tmp_path / "var")
    assert reussi.returncode == 0, reussi.stderr
    assert "1 ligne(s) ajoutée(s)" in reussi.stdout
    refuse = _manage_importer("prets", str(mauvais), var=tmp_path / "var")
    assert refuse.returncode != 0
    assert "3  siren" in refuse.stderr and "clé de Luhn" in refuse.stderr
    assert list(Pret.objects.values_list("pk", flat=True)) == ["P1"]
    assert _manage_importer("prets", str(bon), var=tmp_path / "var").returncode != 0  # duplicate


# --- Big files: the worker path ----------------------------------------------------------------------------------


def test_gros_fichier_sur_le_worker(organismes):
    lignes = [pret(f"P{n:06d}", f"OP{n // 2:06d}", (S1, S2, S3)[n // 2 % 3], montant=f"{n}000,{n % 100:02d}",
                   zone=("1", "2")[n // 2 % 2]) for n in range(20_001)]
    fichier = soumettre("prets", prets(*lignes), nom="gros.csv")
    assert fichier.statut == StatutImport.EN_ATTENTE and fichier.travail.nature == "import_fichier"
    assert not Pret.objects.exists()
    travail = fichier.travail
    fichier = import_executer(fichier.pk, travail=travail)
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    assert (fichier.nb_lignes, fichier.nb_ajoutees) == (20_001, 20_001)
    assert Pret.objects.count() == 20_001
    assert Pret.objects.get(pk="P020000").montant == Decimal("20000000.00")
    travail.refresh_from_db()
    assert (travail.avancement, travail.total) == (100, 100)
    assert import_executer(fichier.pk).nb_ajoutees == 20_001  # a redelivered job does not run twice


def test_executeur_du_worker_enregistre(organismes):
    from pacte.travaux import executeur

    fichier = soumettre("prets", prets(pret("P1", siren=siren_faux(S1))), sur_le_worker=True)
    travail = Travail.objects.get(pk=fichier.travail_id)
    assert travail.statut == StatutTravail.EN_ATTENTE
    resultat = executeur("import_fichier")(travail)
    assert resultat["statut"] == StatutImport.REFUSE and resultat["import_id"] == fichier.pk
    assert not Pret.objects.exists()
