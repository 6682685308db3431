"""The Éco-prêt logement social rate of the pact (§1): livret A − 0,75 point, never below 1 %, by date."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from suivi.calculs import eco_pret_depuis_livret_a, periodes_eco_pret, taux_eco_pret, taux_livret_a

TABLE = [(date.fromisoformat(ligne["date_effet"]), Decimal(ligne["taux"]))
         for ligne in json.loads((settings.BASE_DIR / "fixtures" / "taux_livret_a.json").read_text("utf-8"))]


@pytest.mark.parametrize(("jour", "livret_a", "eco_pret"), [
    (date(2013, 1, 15), "0.0225", "0.0150"),  # 2,25 % since 1 August 2012
    (date(2013, 1, 31), "0.0225", "0.0150"),
    (date(2013, 2, 1), "0.0175", "0.0100"),  # 1,75 % − 0,75 point = 1 %: exactly the floor
    (date(2013, 7, 31), "0.0175", "0.0100"),
    (date(2013, 8, 1), "0.0125", "0.0100"),  # 0,50 % raised to the floor
    (date(2014, 7, 31), "0.0125", "0.0100"),
    (date(2014, 8, 1), "0.0100", "0.0100"),  # 0,25 % raised to the floor
    (date(2015, 8, 1), "0.0075", "0.0100"),  # 0 % raised to the floor
    (date(2016, 12, 31), "0.0075", "0.0100"),  # the last rate stays in force
])
def test_taux_par_date(jour, livret_a, eco_pret):
    assert taux_livret_a(jour, TABLE) == Decimal(livret_a)
    assert taux_eco_pret(jour, TABLE) == Decimal(eco_pret)


def test_le_taux_suit_le_livret_a_au_dessus_du_plancher():
    assert eco_pret_depuis_livret_a(Decimal("0.0400")) == Decimal("0.0325")
    assert eco_pret_depuis_livret_a(Decimal("0.0176")) == Decimal("0.0101")
    assert eco_pret_depuis_livret_a(Decimal("0.0174")) == Decimal("0.0100")
    assert eco_pret_depuis_livret_a(Decimal("0")) == Decimal("0.0100")


def test_table_dans_le_desordre():
    assert taux_eco_pret(date(2013, 3, 1), list(reversed(TABLE))) == Decimal("0.0100")
    assert taux_livret_a(date(2012, 9, 1), reversed(TABLE)) == Decimal("0.0225")


def test_avant_le_premier_taux_connu():
    with pytest.raises(ValueError, match=r"Aucun taux du livret A connu au 31/07/2012 \(le premier taux connu date "
                                         r"du 01/08/2012\)"):
        taux_eco_pret(date(2012, 7, 31), TABLE)
    with pytest.raises(ValueError, match="Aucun taux du livret A connu"):
        taux_livret_a(date(2013, 1, 1), [])


def test_periodes_pour_la_page_des_engagements():
    periodes = periodes_eco_pret(TABLE)
    assert [(p.debut, p.fin) for p in periodes] == [
        (date(2012, 8, 1), date(2013, 2, 1)), (date(2013, 2, 1), date(2013, 8, 1)),
        (date(2013, 8, 1), date(2014, 8, 1)), (date(2014, 8, 1), date(2015, 8, 1)), (date(2015, 8, 1), None)]
    assert [str(p.livret_a) for p in periodes] == ["0.0225", "0.0175", "0.0125", "0.0100", "0.0075"]
    assert [str(p.eco_pret) for p in periodes] == ["0.0150", "0.0100", "0.0100", "0.0100", "0.0100"]
    assert [p.plancher for p in periodes] == [False, False, True, True, True]


@pytest.mark.django_db
def test_la_table_livree_est_chargee_avec_les_referentiels():
    from pacte.services import referentiels_charger
    from suivi.models import TauxLivretA

    compte = referentiels_charger()
    assert (compte["taux_livret_a"], compte["taux_livret_a_crees"]) == (5, 5)
    TauxLivretA.objects.filter(date_effet=date(2015, 8, 1)).update(taux=Decimal("0.0050"))
    assert referentiels_charger()["taux_livret_a_crees"] == 0
    table = list(TauxLivretA.objects.values_list("date_effet", "taux"))
    assert table[:4] == TABLE[:4] and table[4] == (date(2015, 8, 1), Decimal("0.0050"))  # an edited rate is kept
    assert taux_eco_pret(date(2014, 1, 1), table) == Decimal("0.0100")
