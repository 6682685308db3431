"""The campaign's services: barème, adjustments, runs on the worker, exports, command line (domain.md §3)."""

import csv
import io
import time
from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from mutualisation import calculs, explications, exports, selectors
from mutualisation.enums import StatutCalcul, StatutCampagne
from mutualisation.models import Ajustement, Bareme, BaseAnnuelle, Calcul, Campagne, Pret, Restructuration
from mutualisation.referentiels import baremes_charger
from mutualisation.services.campagne import (
    ErreurCampagne,
    ajustement_enregistrer,
    bareme_modifier,
    bareme_obtenir,
    calcul_executer,
    calcul_lancer,
)
from pacte.enums import Famille
from pacte.models import Evenement
from tests.factories import OrganismeFactory

pytestmark = pytest.mark.django_db


def _base(organisme, annee=2013, **champs):
    valeurs = {"patrimoine_locatif": 1000, "loyers": Decimal("4000000.00"), "logements": 1000,
               "cotisation_cglls": Decimal("60000.00"), "plan_cglls": "AUCUN", **champs}
    return BaseAnnuelle.objects.create(organisme=organisme, annee=annee, **valeurs)


def _pret(organisme, numero, produit="PLUS", logements=10, zone="2", montant="1000000.00", signature=None,
          operation=""):
    return Pret.objects.create(numero_pret=numero, numero_operation=operation, organisme=organisme, produit=produit,
                               date_signature=signature or date(2013, 6, 1), montant=Decimal(montant),
                               nb_logements=logements, zone=zone)


@pytest.fixture
def campagne_2013():
    """Three concerned organisms (one exempt), one non-Hlm body, loans in and out of the year."""
    baremes_charger()
    oph = OrganismeFactory(raison_sociale="OPH de la Somme")
    esh = OrganismeFactory(famille=Famille.ESH, raison_sociale="=HYPERLINK(\"http://x\")")
    coop = OrganismeFactory(famille=Famille.COOP)
    sem = OrganismeFactory(non_hlm=True)
    _base(oph)
    _base(esh, loyers=Decimal("8000000.00"), logements=2000, cotisation_cglls=Decimal("90000.00"))
    _base(coop, plan_cglls="CONSOLIDATION")
    _base(sem)
    _pret(oph, "P1", "PLUS", 20, "1", operation="OP1")
    _pret(oph, "P2", "PLUS_FONCIER", 20, "1", operation="OP1")  # same dwellings: counted once
    _pret(oph, "P3", "PLAI", 5, "1", operation="OP1")
    _pret(esh, "P4", "ECO_PRET", 0, "", montant="1234567.89")
    _pret(esh, "P5", "PLUS", 8, "3", signature=date(2012, 12, 31))  # other year: out of scope
    _pret(coop, "P6", "PLAI", 4, "2")
    _pret(sem, "P7", "PLUS", 30, "1")  # non-Hlm: out of scope
    Restructuration.objects.create(organisme=esh, annee=2013, reference="R1", nb_logements=12, zone_detendue=True)
    return {"oph": oph, "esh": esh, "coop": coop, "sem": sem}


def _calculer(annee=2013) -> Calcul:
    return calcul_executer(calcul_lancer(acting_user=None, annee=annee, sur_le_worker=False).pk)


def test_decision_nouveau_bareme_copie_du_precedent_taux_exoneres_nul():
    baremes_charger()
    Bareme.objects.filter(annee=2013).update(frais_gestion=Decimal("1500.00"))
    bareme = bareme_obtenir(annee=2014)
    assert bareme.frais_gestion == Decimal("1500.00") and bareme.montant_zone_1 == Decimal("3300.00")
    assert bareme.taux_aide_exoneres == 0
    assert Bareme.objects.get(annee=2013).taux_aide_exoneres == 1
    assert Evenement.objects.filter(action="bareme_creer", objet="2014").exists()


def test_decision_bareme_fige_une_fois_l_annee_validee():
    baremes_charger()
    bareme_modifier(acting_user=None, annee=2013, valeurs={"taux_aide_exoneres": Decimal("0.5")})
    Campagne.objects.filter(annee=2013).update(statut=StatutCampagne.VALIDEE)
    with pytest.raises(ErreurCampagne, match="figés"):
        bareme_modifier(acting_user=None, annee=2013, valeurs={"taux_aide_exoneres": Decimal("1")})
    assert Bareme.objects.get(annee=2013).taux_aide_exoneres == Decimal("0.5")


def test_modification_du_bareme_controlee_et_auditee():
    baremes_charger()
    with pytest.raises(ErreurCampagne, match="100 %"):
        bareme_modifier(acting_user=None, annee=2013, valeurs={"poids_loyers": Decimal("0.6")})
    with pytest.raises(ErreurCampagne, match="inconnu"):
        bareme_modifier(acting_user=None, annee=2013, valeurs={"taux_magique": Decimal("1")})
    bareme_modifier(acting_user=None, annee=2013, valeurs={"taux_rehabilitation": Decimal("0.06")})
    evenement = Evenement.objects.get(action="bareme_modifier")
    assert evenement.details == {"avant": {"taux_rehabilitation": "0.0500"}, "apres": {"taux_rehabilitation": "0.06"}}


def test_ajustement_jamais_sans_motif(campagne_2013):
    siren = campagne_2013["oph"].siren
    with pytest.raises(ErreurCampagne, match="motif"):
        ajustement_enregistrer(acting_user=None, annee=2013, siren=siren, montant=Decimal("10"), motif="  ")
    with pytest.raises(IntegrityError):
        Ajustement.objects.create(campagne=Campagne.objects.create(annee=2013), organisme=campagne_2013["oph"],
                                  montant=Decimal("1"), motif="")


def test_un_seul_calcul_en_cours_par_annee(campagne_2013):
    premier = calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False)
    with pytest.raises(ErreurCampagne, match="déjà en cours"):
        calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False)
    simulation = calcul_lancer(acting_user=None, annee=2013, simulation=True, sur_le_worker=False)
    assert simulation.pk != premier.pk
    calcul_executer(premier.pk)
    assert calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False).statut == StatutCalcul.EN_ATTENTE


def test_un_calcul_ecrit_resultats_et_totaux_et_respecte_les_invariants(campagne_2013):
    calcul = _calculer()
    assert calcul.statut == StatutCalcul.TERMINE and calcul.avancement == 100
    assert Campagne.objects.get(annee=2013).statut == StatutCampagne.CALCULEE
    resultats = {r.organisme_id: r for r in calcul.resultats.all()}
    assert set(resultats) == {campagne_2013[n].siren for n in ("oph", "esh", "coop")}
    oph = resultats[campagne_2013["oph"].siren]
    assert oph.aide_production == Decimal("82500.00")  # (20 PLUS + 5 PLAI) × 3 300 €
    assert resultats[campagne_2013["esh"].siren].aide_rehabilitation == Decimal("61728.39")  # 5 % half-up
    assert resultats[campagne_2013["esh"].siren].aide_restructuration == Decimal("7200.00")
    coop = resultats[campagne_2013["coop"].siren]
    assert coop.exonere and coop.contribution == 0 and coop.aide_production == Decimal("5200.00")
    total_aides = sum(r.aide_totale for r in resultats.values())
    assert sum(r.contribution for r in resultats.values()) == total_aides == Decimal(calcul.totaux["total_a_couvrir"])
    assert sum(r.solde for r in resultats.values()) == 0
    assert {h["siren"] for h in calcul.hors_champ} == {campagne_2013["sem"].siren}
    esh = explications.detaillee(resultats[campagne_2013["esh"].siren]).explication
    assert {h["numero_pret"]: h["motif"] for h in esh["hors_champ"]} == {"P5": "AUTRE_ANNEE"}
    operation = explications.detaillee(oph).explication["operations_production"][0]
    assert (operation["logements_plus"], operation["logements_plai"], len(operation["prets"])) == (20, 5, 3)
    assert calcul.version_code and set(calcul.durees) == {"chargement", "calcul", "ecriture"}


def test_memes_entrees_memes_resultats_et_meme_empreinte(campagne_2013):
    premier, second = _calculer(), _calculer()
    assert premier.empreinte_entrees == second.empreinte_entrees
    assert exports.export_csv(premier) == exports.export_csv(second)
    bareme_modifier(acting_user=None, annee=2013, valeurs={"montant_zone_1": Decimal("3400.00")})
    assert _calculer().empreinte_entrees != premier.empreinte_entrees


def test_un_calcul_redelivre_n_est_pas_rejoue(campagne_2013):
    calcul = _calculer()
    assert calcul_executer(calcul.pk) is None
    assert calcul.resultats.count() == 3


def test_un_invariant_viole_fait_echouer_le_calcul_bruyamment(campagne_2013):
    calcul = calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False)
    # the pure calculation checks its invariants (calculs.campagne), the run's only check
    with mock.patch.object(calculs.campagne, "verifier_invariants", side_effect=calculs.InvariantViole("Σ soldes ≠ 0")):
        with pytest.raises(calculs.InvariantViole):
            calcul_executer(calcul.pk)
    calcul.refresh_from_db()
    assert calcul.statut == StatutCalcul.ECHEC and "Σ soldes" in calcul.message
    assert not calcul.resultats.exists()
    assert Campagne.objects.get(annee=2013).statut == StatutCampagne.OUVERTE


def test_export_csv_au_format(campagne_2013):
    contenu = exports.export_csv(_calculer()).decode()
    lignes = list(csv.reader(io.StringIO(contenu), delimiter=";"))
    assert lignes[0] == exports.COLONNES
    assert [ligne[0] for ligne in lignes[1:]] == sorted(ligne[0] for ligne in lignes[1:])
    esh = next(ligne for ligne in lignes if ligne[0] == campagne_2013["esh"].siren)
    assert esh[4] == "61728.39" and esh[2] == "non" and esh[13] in ("versement", "appel_de_fonds", "nul")
    assert all(len(valeur.split(".")[1]) == 2 for ligne in lignes[1:] for valeur in ligne[3:13])


def test_export_xlsx_neutralise_les_formules(campagne_2013):
    from openpyxl import load_workbook

    feuille = load_workbook(io.BytesIO(exports.export_xlsx(_calculer()))).active
    raisons = [ligne[1] for ligne in feuille.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in raisons
    assert feuille["D2"].number_format.startswith("#,##0.00")
    assert isinstance(feuille["H2"].value, (int, float, Decimal))


def test_ligne_de_commande_bareme_ajuster_calculer_exporter(campagne_2013, tmp_path, capsys):
    call_command("mutualisation", "bareme", "2013", "--set", "taux_aide_exoneres=0.5", "--set", "frais_gestion=100")
    assert "taux_aide_exoneres         0.5" in capsys.readouterr().out
    call_command("mutualisation", "ajuster", "2013", campagne_2013["oph"].siren, "-250.50", "--motif", "Cas spécial")
    with pytest.raises(CommandError, match="motif"):
        call_command("mutualisation", "ajuster", "2013", campagne_2013["oph"].siren, "1", "--motif", "")
    call_command("mutualisation", "calculer", "2013", "--sync")
    call_command("mutualisation", "exporter", "2013", "--output", str(tmp_path / "r.csv"))
    lignes = (tmp_path / "r.csv").read_text().splitlines()
    oph = next(ligne.split(";") for ligne in lignes if ligne.startswith(campagne_2013["oph"].siren))
    assert oph[6] == "-250.50"
    coop = next(ligne.split(";") for ligne in lignes if ligne.startswith(campagne_2013["coop"].siren))
    assert coop[3] == "2600.00"  # exempt: 5 200 € × 50 %
    soldes = sum(Decimal(ligne.split(";")[12]) for ligne in lignes[1:])
    assert soldes == Decimal("-100.00")  # Σ soldes = − frais de gestion


@pytest.mark.worker
def test_meme_csv_en_sync_et_sur_le_worker(worker, campagne_2013, tmp_path):
    call_command("mutualisation", "calculer", "2013", "--sync")
    call_command("mutualisation", "exporter", "2013", "--output", str(tmp_path / "sync.csv"))
    debut = time.monotonic()
    call_command("mutualisation", "calculer", "2013", "--delai", "120")
    call_command("mutualisation", "exporter", "2013", "--output", str(tmp_path / "worker.csv"))
    assert (tmp_path / "sync.csv").read_bytes() == (tmp_path / "worker.csv").read_bytes()
    assert Calcul.objects.filter(statut=StatutCalcul.TERMINE).count() == 2
    assert time.monotonic() - debut < 120
    assert selectors.dernier_calcul(2013).pk == Calcul.objects.order_by("-pk").first().pk
