import json

import pytest
from django.conf import settings

from mutualisation.models import Bareme
from pacte.enums import Partie, StatutEngagement
from pacte.models import Departement, Engagement, Evenement, Region
from pacte.services import referentiels_charger

pytestmark = pytest.mark.django_db

CODES_METROPOLE = {"11", "21", "22", "23", "24", "25", "26", "31", "41", "42", "43", "52", "53", "54", "72",
                   "73", "74", "82", "83", "91", "93", "94"}
CODES_OUTRE_MER = {"01", "02", "03", "04", "06"}


def test_les_regions_du_pacte_et_leurs_departements():
    referentiels_charger()
    assert set(Region.objects.filter(metropole=True).values_list("code", flat=True)) == CODES_METROPOLE
    assert set(Region.objects.filter(metropole=False).values_list("code", flat=True)) == CODES_OUTRE_MER
    assert set(Region.objects.filter(prioritaire=True).values_list("nom", flat=True)) == {
        "Île-de-France", "Provence-Alpes-Côte d'Azur", "Languedoc-Roussillon"}
    assert Departement.objects.count() == 101
    assert Departement.objects.get(code="2A").region.nom == "Corse"
    assert Departement.objects.get(code="976").region.code == "06"
    assert Departement.objects.get(code="60").region.nom == "Picardie"
    assert all(Region.objects.get(code=c).departements.exists() for c in CODES_METROPOLE | CODES_OUTRE_MER)


def test_chaque_engagement_du_pacte_est_charge():
    referentiels_charger()
    livres = json.loads((settings.BASE_DIR / "fixtures" / "engagements.json").read_text(encoding="utf-8"))
    assert Engagement.objects.count() == len(livres) >= 30
    assert set(Engagement.objects.values_list("partie", flat=True)) == set(Partie.values)
    sections = set(Engagement.objects.values_list("section", flat=True))
    assert {f"§{n}" for n in range(1, 7)} | {f"Annexe {n}" for n in range(1, 6)} == sections
    textes = " ".join(Engagement.objects.values_list("texte", flat=True))
    for mot in ("120 000", "100 000", "5 %", "livret A", "Action Logement", "mutualisation", "10 000"):
        assert mot in textes, mot
    assert "Him" not in textes and " & " not in textes  # OCR errors cleaned


def test_le_chargement_est_idempotent_et_garde_les_statuts():
    referentiels_charger()
    Engagement.objects.filter(code="E01").update(statut=StatutEngagement.REALISE)
    Bareme.objects.filter(annee=2013).update(frais_gestion="1000.00")
    compte = referentiels_charger()
    assert compte["regions"] == 27 and compte["engagements"] == Engagement.objects.count()
    assert Region.objects.count() == 27 and Departement.objects.count() == 101
    assert Engagement.objects.get(code="E01").statut == StatutEngagement.REALISE
    assert str(Bareme.objects.get(annee=2013).frais_gestion) == "1000.00"
    assert Evenement.objects.filter(action="referentiels_charger").count() == 2


def test_le_bareme_2013_du_pacte():
    referentiels_charger()
    bareme = Bareme.objects.get(annee=2013)
    assert (bareme.montant_zone_1, bareme.montant_zone_2_3) == (3300, 1300)
    assert bareme.taux_rehabilitation * 100 == 5
    assert (bareme.montant_restructuration, bareme.plafond_restructuration) == (600, 5000)
    assert [bareme.poids_cotisation_cglls, bareme.poids_loyers, bareme.poids_patrimoine] == [
        pytest.approx(0.25), pytest.approx(0.5), pytest.approx(0.25)]
    assert bareme.taux_aide_exoneres == 1 and bareme.frais_gestion == 0
