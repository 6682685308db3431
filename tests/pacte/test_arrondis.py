"""pacte.arrondis : arrondi au demi supérieur et partage au plus fort reste (docs/mutualisation.md §« Arrondis »)."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import floor

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pacte.arrondis import arrondi_cents, cents, cents_fois_taux, euros, partager_plus_fort_reste, round_half_up

PROPRIETES = settings(max_examples=300, deadline=None, database=None)

sirens = st.from_regex(r"[0-9]{9}", fullmatch=True)
poids_entiers = st.dictionaries(sirens, st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12)


# --- round_half_up -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (Decimal("0.005"), Decimal("0.01")),
        (Decimal("0.004999"), Decimal("0.00")),
        (Decimal("2.675"), Decimal("2.68")),  # 2.675 en float vaut 2.67499… : la preuve qu'on ne passe pas par float
        (Decimal("-0.005"), Decimal("-0.01")),
        (Decimal("-0.004"), Decimal("0.00")),
        (Fraction(1, 3), Decimal("0.33")),
        (Fraction(2, 3), Decimal("0.67")),
        (Fraction(1, 200), Decimal("0.01")),
        (7, Decimal("7.00")),
        (Decimal("6666.6665"), Decimal("6666.67")),
    ],
)
def test_round_half_up_arrondit_au_demi_superieur(valeur, attendu):
    resultat = round_half_up(valeur)
    assert resultat == attendu
    assert resultat.as_tuple().exponent == -2


def test_round_half_up_sans_signe_moins_sur_zero():
    assert str(round_half_up(Decimal("-0.001"))) == "0.00"


def test_round_half_up_autres_nombres_de_decimales():
    assert round_half_up(Decimal("2.5"), 0) == Decimal("3")
    assert str(round_half_up(Fraction(1, 8), 3)) == "0.125"
    assert str(round_half_up(Fraction(1, 16), 3)) == "0.063"


def test_round_half_up_refuse_les_float():
    with pytest.raises(TypeError, match="non exacte"):
        round_half_up(0.1)


def test_round_half_up_refuse_nan():
    with pytest.raises(ValueError, match="non finie"):
        round_half_up(Decimal("NaN"))


@PROPRIETES
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=6))
def test_round_half_up_egal_a_decimal_round_half_up(valeur):
    assert round_half_up(valeur) == valeur.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- cents / euros -------------------------------------------------------------------------------------------


def test_cents_et_euros_aller_retour():
    assert cents(Decimal("1234.5")) == 123450
    assert cents(Decimal("100")) == 10000
    assert cents(Decimal("123456789012345678901234567890.12")) == 12345678901234567890123456789012  # > 28 chiffres
    assert str(euros(123450)) == "1234.50"
    assert str(euros(-5)) == "-0.05"
    assert str(euros(0)) == "0.00"


def test_cents_refuse_un_troisieme_chiffre_apres_la_virgule():
    with pytest.raises(ValueError, match="plus de deux décimales"):
        cents(Decimal("0.001"))


def test_cents_et_euros_refusent_les_float_et_les_booleens():
    with pytest.raises(TypeError):
        cents(1.5)
    with pytest.raises(TypeError):
        euros(True)


def test_arrondi_cents():
    assert arrondi_cents(Fraction(133_333_33, 100) * Fraction(5, 100)) == 666_667


exacts = st.one_of(
    st.fractions(max_denominator=10**6).filter(lambda f: abs(f) < 10**12),
    st.decimals(min_value=-(10**12), max_value=10**12, places=7),
    st.integers(min_value=-(10**12), max_value=10**12),
)


@PROPRIETES
@given(exacts)
def test_arrondi_cents_en_entiers_egal_a_l_arrondi_decimal(valeur):
    """arrondi_cents calcule en entiers ce que round_half_up puis cents donnent (la définition de la règle)."""
    assert arrondi_cents(valeur) == cents(round_half_up(valeur, 2))


@PROPRIETES
@given(st.integers(min_value=-(10**15), max_value=10**15),
       st.one_of(st.decimals(min_value=-10, max_value=10, places=4), st.fractions(max_denominator=10**4)))
def test_cents_fois_taux_egal_au_calcul_en_rationnels(centimes, taux):
    assert cents_fois_taux(centimes, taux) == arrondi_cents(Fraction(centimes, 100) * Fraction(taux))


def test_cents_fois_taux_demi_superieur_et_refus():
    assert cents_fois_taux(1, Decimal("0.5")) == 1  # 0,005 € → 0,01 €
    assert cents_fois_taux(-1, Decimal("0.5")) == -1
    assert cents_fois_taux(133_333_33, Decimal("0.05")) == 666_667
    with pytest.raises(TypeError):
        cents_fois_taux(100, 0.5)
    with pytest.raises(TypeError):
        cents_fois_taux(1.0, Decimal("0.5"))
    with pytest.raises(ValueError, match="non finie"):
        cents_fois_taux(100, Decimal("NaN"))


@PROPRIETES
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_euros_puis_cents_redonne_les_centimes(centimes):
    assert cents(euros(centimes)) == centimes


# --- partager_plus_fort_reste --------------------------------------------------------------------------------


def test_partage_exemple_calcule_a_la_main():
    # 100 c entre 1/3 ; 1/3 ; 1/3 : 33,33… chacun, planchers 99 c, le centime restant à la plus petite clé.
    assert partager_plus_fort_reste(100, {"300000007": 1, "100000009": 1, "200000008": 1}) == {
        "100000009": 34,
        "200000008": 33,
        "300000007": 33,
    }


def test_partage_plus_fort_reste_avant_l_ordre_des_cles():
    # 10 c au prorata 1/6/3 : parts exactes 1 ; 6 ; 3 → aucun reste ; 11 c : 1,1 ; 6,6 ; 3,3 → le reste 0,6 gagne.
    assert partager_plus_fort_reste(11, {"a": 1, "b": 6, "c": 3}) == {"a": 1, "b": 7, "c": 3}


def test_partage_egalite_de_restes_au_plus_petit_siren():
    assert partager_plus_fort_reste(1, {"200000008": 5, "100000009": 5}) == {"100000009": 1, "200000008": 0}
    assert partager_plus_fort_reste(1, {"099999999": 5, "100000009": 5}) == {"099999999": 1, "100000009": 0}


def test_partage_accepte_decimal_et_fraction():
    assert partager_plus_fort_reste(10, {"a": Decimal("0.5"), "b": Fraction(3, 2)}) == {"a": 3, "b": 7}


def test_partage_poids_nuls_erreur_francaise():
    with pytest.raises(ValueError, match="somme des poids est nulle"):
        partager_plus_fort_reste(100, {"a": 0, "b": 0})
    with pytest.raises(ValueError, match="somme des poids est nulle"):
        partager_plus_fort_reste(100, {})


def test_partage_poids_negatif_erreur_francaise():
    with pytest.raises(ValueError, match="poids négatif pour b"):
        partager_plus_fort_reste(100, {"a": 3, "b": -1})


@PROPRIETES
@given(st.integers(min_value=0, max_value=10**12), poids_entiers)
def test_partage_des_poids_entiers_identique_aux_memes_poids_en_rationnels(total, poids):
    """Des poids entiers sont partagés tels quels : le même partage que par le chemin des rationnels."""
    assume(sum(poids.values()) > 0)
    assert partager_plus_fort_reste(total, poids) == partager_plus_fort_reste(
        total, {cle: Fraction(valeur) for cle, valeur in poids.items()})


def test_partage_refuse_les_float():
    with pytest.raises(TypeError):
        partager_plus_fort_reste(100, {"a": 0.5})


@PROPRIETES
@given(st.integers(min_value=-(10**12), max_value=10**12), poids_entiers)
def test_partage_somme_exacte_et_chaque_part_a_moins_d_un_centime(total, poids):
    if sum(poids.values()) == 0:
        with pytest.raises(ValueError):
            partager_plus_fort_reste(total, poids)
        return
    parts = partager_plus_fort_reste(total, poids)
    assert sum(parts.values()) == total
    assert set(parts) == set(poids)
    somme = sum(poids.values())
    for cle, part in parts.items():
        assert abs(part - Fraction(total * poids[cle], somme)) < 1


@PROPRIETES
@given(st.integers(min_value=0, max_value=10**10), poids_entiers.filter(lambda p: sum(p.values()) > 0), st.randoms())
def test_partage_independant_de_l_ordre_du_dictionnaire(total, poids, aleatoire):
    cles = list(poids)
    aleatoire.shuffle(cles)
    assert partager_plus_fort_reste(total, {c: poids[c] for c in cles}) == partager_plus_fort_reste(total, poids)


@PROPRIETES
@given(st.integers(min_value=0, max_value=10**10), poids_entiers.filter(lambda p: sum(p.values()) > 0))
def test_partage_les_restes_vont_aux_plus_forts(total, poids):
    parts = partager_plus_fort_reste(total, poids)
    somme = sum(poids.values())
    exactes = {c: Fraction(total * w, somme) for c, w in poids.items()}
    restes = {c: exacte - floor(exacte) for c, exacte in exactes.items()}
    servis = [c for c in poids if parts[c] > exactes[c]]
    for gagnant in servis:
        for perdant in set(poids) - set(servis):
            assert restes[gagnant] > restes[perdant] or (restes[gagnant] == restes[perdant] and gagnant < perdant)
