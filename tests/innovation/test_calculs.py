"""The fund's rules, without a database."""

import datetime
from decimal import Decimal

from innovation import calculs
from pacte.enums import Famille


def test_beneficiaires_de_l_annexe_4():
    for famille in (Famille.OPH, Famille.ESH, Famille.COOP, Famille.SACICAP, Famille.SEM, Famille.AGREE_L365,
                    Famille.ARHLM):
        assert calculs.refus_eligibilite(famille) is None
    for famille in (Famille.COLLECTIVITE, Famille.ASSOCIATION, Famille.AUTRE):
        assert "n'est pas éligible" in calculs.refus_eligibilite(famille)


def test_pas_de_projet_commence_avant_sa_demande_ni_de_plus_de_trois_ans():
    depot = datetime.date(2014, 3, 1)
    assert calculs.refus_calendrier(date_depot=depot, date_debut=depot, duree_mois=36) == []
    raisons = calculs.refus_calendrier(date_depot=depot, date_debut=datetime.date(2014, 2, 28), duree_mois=37)
    assert "avant sa demande du 01/03/2014" in raisons[0]
    assert "au plus 36 mois" in raisons[1]


def test_cofinancement_public_a_80_pour_cent_au_plus():
    assert calculs.refus_cofinancement(montant=Decimal("60000.00"), autres_financements_publics=Decimal("20000.00"),
                                       cout_total=Decimal("100000.00")) is None
    raison = calculs.refus_cofinancement(montant=Decimal("60000.01"), cout_total=Decimal("100000.00"),
                                         autres_financements_publics=Decimal("20000.00"))
    assert "dépassent 80 % du coût" in raison.replace("\u00a0", " ")


def test_plafond_de_500_000_euros_sur_36_mois():
    assert calculs.refus_plafond_organisme(montant=Decimal("100000.00"),
                                           deja_accorde_36_mois=Decimal("400000.00")) is None
    raison = calculs.refus_plafond_organisme(montant=Decimal("100000.01"), deja_accorde_36_mois=Decimal("400000.00"))
    assert "laisse 100\u00a0000,00\u00a0€" in raison


def test_enveloppe():
    assert calculs.refus_enveloppe(montant=Decimal("1.00"), enveloppe=Decimal("10.00"), deja_accorde=Decimal("9.00"),
                                   annee=2014) is None
    assert "il reste 1,00\u00a0€" in calculs.refus_enveloppe(montant=Decimal("1.01"), enveloppe=Decimal("10.00"),
                                                             deja_accorde=Decimal("9.00"), annee=2014)


def test_convention_au_dela_de_23_000_euros():
    assert not calculs.convention_requise(Decimal("23000.00"))
    assert calculs.convention_requise(Decimal("23000.01"))


def test_enveloppe_proposee_arrondie_au_millier_superieur():
    assert calculs.enveloppe_proposee(accorde=Decimal("4200000.00"), demande_en_attente=Decimal("850000.50")) == \
        Decimal("5051000.00")
    assert calculs.enveloppe_proposee(accorde=Decimal("0"), demande_en_attente=Decimal("0")) == Decimal("0.00")
