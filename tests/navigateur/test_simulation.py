"""What-if simulation in a real browser (docs/simulation.md): a commission member goes from the campaign page to a
new barème variant (exempt organisms at 50 %), the run is computed, and the comparison page shows the table per
region, the chart of deltas and the table per organism. The page is saved in var/captures/."""

from datetime import date
from decimal import Decimal

import pytest

from mutualisation.models import BaremeVariante, BaseAnnuelle, Pret
from mutualisation.referentiels import baremes_charger
from mutualisation.services.campagne import calcul_executer, calcul_lancer
from pacte.enums import Role
from pacte.models import Region
from tests.factories import OrganismeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _annee_2013(lanceur) -> None:
    baremes_charger()
    regions = list(Region.objects.order_by("code")[:6])
    for i in range(24):
        organisme = OrganismeFactory(region=regions[i % len(regions)])
        BaseAnnuelle.objects.create(
            organisme=organisme, annee=2013, patrimoine_locatif=800 + 150 * i, loyers=Decimal(3_000_000 + 250_000 * i),
            logements=800 + 150 * i, cotisation_cglls=Decimal(40_000 + 3_000 * i),
            plan_cglls="RETABLISSEMENT" if i % 5 == 0 else "AUCUN")
        Pret.objects.create(numero_pret=f"P{i}", organisme=organisme, produit="PLUS", date_signature=date(2013, 5, 2),
                            montant=Decimal("1000000.00"), nb_logements=3 + (i * 7) % 40, zone="1" if i % 3 else "2")
        Pret.objects.create(numero_pret=f"R{i}", organisme=organisme, produit="PAM", date_signature=date(2013, 9, 2),
                            montant=Decimal(200_000 + 45_000 * i), nb_logements=20, zone="2")
    calcul_executer(calcul_lancer(acting_user=lanceur, annee=2013, sur_le_worker=False).pk)


def test_variante_exoneres_a_50_pourcent_et_comparaison(onglet, se_connecter, comptes, captures):
    _annee_2013(comptes[Role.EQUIPE_USH])
    se_connecter(onglet, Role.COMMISSION)
    onglet.goto("/mutualisation/2013/")
    onglet.get_by_role("link", name="Simulations du barème").click()
    onglet.get_by_role("link", name="Nouvelle variante du barème").click()
    onglet.get_by_label("Nom de la variante").fill("Exonérés à 50 % de leur aide")
    onglet.get_by_label("Taux d'aide des organismes exonérés (%)").fill("50")
    with onglet.expect_navigation():
        onglet.get_by_role("button", name="Créer la variante et lancer la simulation").click()
    assert onglet.locator("progress").count() == 1  # no worker here: the run waits; computed below in its place
    calcul_executer(BaremeVariante.objects.get().calculs.get().pk)
    onglet.reload()
    assert onglet.get_by_role("heading", name="Par région du siège").is_visible()
    assert onglet.locator(".ligne-ecart").count() == 6
    onglet.screenshot(path=str(captures / "simulation-comparaison.png"), full_page=True)
    onglet.get_by_role("link", name="Écart aide").click()
    assert "Écart aide ▼" in onglet.locator(".tableau-resultats thead").inner_text()  # an amount sorts descending first
    derniere = onglet.locator(".tableau-resultats tbody tr").last
    assert "exonéré" in derniere.inner_text().lower()  # the biggest aid loss: an exempt organism
