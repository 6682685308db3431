"""Règles de la mutualisation (domain.md §3), une par test ; docs/mutualisation.md nomme le test de chaque règle.

Aucune base de données, aucun Django : mutualisation.calculs ne prend et ne rend que des valeurs simples.
"""

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutualisation.calculs import (
    BAREME_2013,
    AjustementEntree,
    BaremeInvalide,
    CalculImpossible,
    InvariantViole,
    OrganismeEntree,
    PretEntree,
    RestructurationEntree,
    calculer_campagne,
    empreinte_entrees,
    operations_incoherentes,
    verifier_invariants,
)

A, B, C, E, F, S = "100000009", "200000008", "300000007", "400000006", "500000005", "600000004"
D = Decimal
JUIN = date(2013, 6, 1)


def organisme(siren, famille="OPH", *, metropole=True, patrimoine=1000, loyers="1000000.00", logements=1000,
              cotisation="10000.00", plan="AUCUN"):
    return OrganismeEntree(siren, f"Organisme {siren}", famille, metropole, patrimoine, D(loyers), logements,
                           D(cotisation), plan)


def pret(numero, siren, produit, nb=0, zone="1", *, operation=None, montant="0.00", signature=JUIN):
    return PretEntree(numero, operation, siren, produit, signature, D(montant), nb, zone)


def bareme(**changements):
    return replace(BAREME_2013, **changements)


def calculer(organismes, prets=(), restructurations=(), ajustements=(), *, avec=BAREME_2013):
    return calculer_campagne(2013, avec, organismes, prets, restructurations, ajustements)


def ligne(resultat, siren):
    (trouvee,) = [lg for lg in resultat.lignes if lg.siren == siren]
    return trouvee


def motifs_hors_champ(resultat):
    return {(h.siren, getattr(h.objet, "numero_pret", type(h.objet).__name__), h.motif) for h in resultat.hors_champ}


# --- Exemple calculé à la main -------------------------------------------------------------------------------


def exemple_a_la_main():
    organismes = [
        organisme(A, "OPH", loyers="5000000.00", logements=1000, cotisation="10000.00"),
        organisme(B, "ESH", patrimoine=3000, loyers="14000000.00", logements=3000, cotisation="30000.00",
                  plan="REPRISE_PATRIMOINE"),
        organisme(E, "COOP", patrimoine=500, loyers="2000000.00", logements=500, cotisation="5000.00",
                  plan="CONSOLIDATION"),
        organisme(S, "SEM", patrimoine=800),
    ]
    prets = [
        pret("P01", A, "PLUS_FONCIER", 10, "1", operation="OP1", montant="100000.00"),
        pret("P02", A, "PLUS", 10, "1", operation="OP1", montant="900000.00"),
        pret("P03", A, "PLAI", 4, "1", operation="OP1", montant="300000.00"),
        pret("P04", A, "PLAI", 6, "2", montant="300000.00"),
        pret("P05", A, "PAM", zone=None, montant="100000.00"),
        pret("P06", A, "ECO_PRET", zone=None, montant="33333.33"),
        pret("P07", A, "PLS", 3, "1", montant="500000.00"),
        pret("P08", A, "PLUS", 3, "1", montant="1.00", signature=date(2012, 12, 31)),
        pret("P09", B, "PLUS", 20, "3", operation="OP2", montant="2000000.00"),
        pret("P10", B, "ECO_PRET", zone=None, montant="50000.10"),
        pret("P11", E, "PLAI", 2, "1bis", operation="OP3", montant="200000.00"),
        pret("P12", S, "PLUS", 5, "1", operation="OP4", montant="600000.00"),
    ]
    restructurations = [RestructurationEntree(A, 2013, "R1", 10, True), RestructurationEntree(B, 2013, "R2", 5, False)]
    ajustements = [AjustementEntree(B, D("1000.00"), "Prêt 2012 saisi en 2013 par la CDC")]
    return organismes, prets, restructurations, ajustements


def test_exemple_calcule_a_la_main():
    resultat = calculer(*exemple_a_la_main())
    a, b, e = (ligne(resultat, s) for s in (A, B, E))
    # A : OP1 = max PLUS(10, 10) + PLAI 4 = 14 lgts × 3 300 = 46 200 ; P04 seul, zone 2 : 6 × 1 300 = 7 800.
    assert a.aide_production == D("54000.00")
    # 5 % × (100 000,00 + 33 333,33) = 6 666,6665 → 6 666,67 (demi supérieur).
    assert a.aide_rehabilitation == D("6666.67")
    assert a.aide_restructuration == D("6000.00")  # 10 × 600, N = 10 ≤ 5 000
    assert a.aide_totale == D("66666.67")
    # B : 20 × 1 300 = 26 000 ; 5 % × 50 000,10 = 2 500,005 → 2 500,01 ; + ajustement 1 000.
    assert (b.aide_production, b.aide_rehabilitation, b.ajustements) == (D("26000.00"), D("2500.01"), D("1000.00"))
    assert b.aide_totale == D("29500.01")
    assert (e.exonere, e.aide_totale, e.contribution) == (True, D("6600.00"), D("0.00"))  # 2 × 3 300, taux 100 %
    # T = 66 666,67 + 29 500,01 + 6 600,00 = 102 766,68 ; 25 % → 25 691,67 ; 50 % → 51 383,34 ; reste 25 691,67.
    assert resultat.total_a_couvrir == D("102766.68")
    assert (resultat.total_cotisation_cglls, resultat.total_loyers, resultat.total_patrimoine) == (
        D("25691.67"), D("51383.34"), D("25691.67"))
    # CGLLS 10 000 / 30 000 : 6 422,9175 et 19 268,7525 → planchers 6 422,91 + 19 268,75, le centime à A (0,75).
    assert (a.part_cotisation_cglls, b.part_cotisation_cglls) == (D("6422.92"), D("19268.75"))
    # Loyers 5 M / 14 M : 13 521,9315… et 37 861,4084… → le centime restant à B (0,84 > 0,16).
    assert (a.part_loyers, b.part_loyers) == (D("13521.93"), D("37861.41"))
    assert (a.part_patrimoine, b.part_patrimoine) == (D("6422.92"), D("19268.75"))
    assert (a.contribution, a.solde, a.sens) == (D("26367.77"), D("40298.90"), "versement")
    assert (b.contribution, b.solde, b.sens) == (D("76398.91"), D("-46898.90"), "appel_de_fonds")
    assert (e.solde, e.sens) == (D("6600.00"), "versement")
    assert [lg.siren for lg in resultat.lignes] == [A, B, E]


def test_explication_ligne_a_ligne_de_l_exemple():
    resultat = calculer(*exemple_a_la_main())
    explication = ligne(resultat, A).explication
    op1 = next(op for op in explication.operations_production if op.numero_operation == "OP1")
    assert [p.numero_pret for p in op1.prets] == ["P01", "P02", "P03"]
    assert (op1.logements_plus, op1.logements_plai, op1.montant_unitaire, op1.aide) == (10, 4, D("3300.00"),
                                                                                        D("46200.00"))
    assert [p.numero_pret for p in explication.prets_rehabilitation] == ["P05", "P06"]
    assert explication.base_rehabilitation == D("133333.33")
    assert [r.reference for r in explication.restructurations] == ["R1"]
    assert {(h.objet.numero_pret, h.motif) for h in explication.hors_champ} == {("P07", "PRODUIT_NON_ELIGIBLE"),
                                                                                ("P08", "AUTRE_ANNEE")}
    assert [a.motif for a in ligne(resultat, B).explication.ajustements] == ["Prêt 2012 saisi en 2013 par la CDC"]


# --- Organismes concernés et exonérés ------------------------------------------------------------------------


@pytest.mark.parametrize("famille", ["OPH", "ESH", "COOP", "SACICAP"])
def test_familles_hlm_concernees(famille):
    resultat = calculer([organisme(A), organisme(B, famille)])
    assert [lg.siren for lg in resultat.lignes] == [A, B]


@pytest.mark.parametrize(
    ("non_concerne", "motif"),
    [
        (organisme(B, "SEM"), "ORGANISME_NON_HLM"),
        (organisme(B, "AGREE_L365"), "ORGANISME_NON_HLM"),
        (organisme(B, "ARHLM"), "ORGANISME_NON_HLM"),
        (organisme(B, "OPH", metropole=False), "HORS_METROPOLE"),
        (organisme(B, "ESH", patrimoine=0), "PATRIMOINE_NUL"),
    ],
)
def test_prets_des_organismes_non_concernes_rapportes_hors_champ(non_concerne, motif):
    prets = [pret("P1", A, "PLUS", 1), pret("P2", B, "PLUS", 50), pret("P3", B, "ECO_PRET", montant="1000.00")]
    restructurations = [RestructurationEntree(B, 2013, "R1", 7, True)]
    resultat = calculer([organisme(A), non_concerne], prets, restructurations)
    assert [lg.siren for lg in resultat.lignes] == [A]
    assert resultat.total_aides == D("3300.00")  # seul P1 compte
    assert {("P2", motif), ("P3", motif), ("OrganismeEntree", motif), ("RestructurationEntree", motif)} == {
        (ref, m) for siren, ref, m in motifs_hors_champ(resultat) if siren == B
    }


def test_pret_d_un_siren_inconnu_rapporte_hors_champ():
    resultat = calculer([organisme(A)], [pret("P1", A, "PLUS", 1), pret("P2", F, "PLUS", 9)])
    assert (F, "P2", "ORGANISME_INCONNU") in motifs_hors_champ(resultat)
    assert resultat.total_aides == D("3300.00")


@pytest.mark.parametrize("plan", ["RETABLISSEMENT", "CONSOLIDATION"])
def test_exoneration_plans_de_retablissement_et_de_consolidation(plan):
    resultat = calculer([organisme(A), organisme(B, plan=plan)], [pret("P1", B, "PLUS", 10)])
    b = ligne(resultat, B)
    assert b.exonere
    assert (b.part_cotisation_cglls, b.part_loyers, b.part_patrimoine, b.contribution) == (D("0.00"),) * 4
    assert ligne(resultat, A).contribution == D("33000.00")  # A seul contributeur paie tout


def test_decision_reprise_de_patrimoine_n_exonere_pas():
    resultat = calculer([organisme(A), organisme(B, plan="REPRISE_PATRIMOINE")], [pret("P1", A, "PLUS", 10)])
    b = ligne(resultat, B)
    assert not b.exonere
    assert b.contribution == D("16500.00")  # bases identiques : la moitié de 33 000


@pytest.mark.parametrize(("taux", "attendu"), [("1", "6600.00"), ("0.5", "3300.00"), ("0", "0.00")])
def test_exoneres_recoivent_leurs_aides_fois_taux_aide_exoneres(taux, attendu):
    resultat = calculer([organisme(A), organisme(E, plan="CONSOLIDATION")], [pret("P1", E, "PLAI", 2, "1")],
                        avec=bareme(taux_aide_exoneres=D(taux)))
    assert ligne(resultat, E).aide_production == D(attendu)
    assert ligne(resultat, E).explication.aide_production_avant_taux == D("6600.00")


def test_decision_exoneres_taux_50_pourcent_arrondi_par_aide():
    # Réhabilitation : 5 % × 100,10 = 5,005 → 5,01 ; puis × 50 % = 2,505 → 2,51 (chaque aide arrondie au centime).
    # Production : 1 × 1 300 × 50 % = 650,00. Un ajustement n'est pas réduit par le taux.
    prets = [pret("P1", E, "ECO_PRET", zone=None, montant="100.10"), pret("P2", E, "PLUS", 1, "3")]
    ajustements = [AjustementEntree(E, D("10.01"), "Décision de la commission du 12/12/2013")]
    resultat = calculer([organisme(A), organisme(E, plan="RETABLISSEMENT")], prets, (), ajustements,
                        avec=bareme(taux_aide_exoneres=D("0.5")))
    e = ligne(resultat, E)
    assert (e.aide_rehabilitation, e.aide_production, e.ajustements) == (D("2.51"), D("650.00"), D("10.01"))
    assert e.aide_totale == D("662.52")


# --- Aide à la production ------------------------------------------------------------------------------------


def test_production_zone_1_et_1bis_au_montant_zone_1_zones_2_et_3_au_montant_zone_2_3():
    prets = [pret("P1", A, "PLUS", 1, "1"), pret("P2", A, "PLUS", 2, "1bis"), pret("P3", A, "PLAI", 4, "2"),
             pret("P4", A, "PLAI", 8, "3")]
    resultat = calculer([organisme(A)], prets)
    assert ligne(resultat, A).aide_production == D("3") * 3300 + D("12") * 1300


def test_production_seulement_les_prets_signes_dans_l_annee():
    prets = [
        pret("P1", A, "PLUS", 1, signature=date(2013, 1, 1)),
        pret("P2", A, "PLUS", 1, signature=date(2013, 12, 31)),
        pret("P3", A, "PLUS", 5, signature=date(2012, 12, 31)),
        pret("P4", A, "PLUS", 5, signature=date(2014, 1, 1)),
    ]
    resultat = calculer([organisme(A)], prets)
    assert ligne(resultat, A).aide_production == D("6600.00")
    assert {(ref, m) for _, ref, m in motifs_hors_champ(resultat)} == {("P3", "AUTRE_ANNEE"), ("P4", "AUTRE_ANNEE")}


@pytest.mark.parametrize("produit", ["PLS", "PSLA", "AUTRE"])
def test_produits_non_eligibles_rapportes_hors_champ(produit):
    resultat = calculer([organisme(A)], [pret("P1", A, "PLUS", 1), pret("P2", A, produit, 40, montant="9000.00")])
    assert resultat.total_aides == D("3300.00")
    assert (A, "P2", "PRODUIT_NON_ELIGIBLE") in motifs_hors_champ(resultat)


def test_decision_foncier_et_construction_comptes_une_fois_par_operation_et_famille():
    prets = [
        pret("P1", A, "PLUS_FONCIER", 30, operation="OP1"),
        pret("P2", A, "PLUS", 32, operation="OP1"),  # max(30, 32) = 32 logements PLUS
        pret("P3", A, "PLAI_FONCIER", 12, operation="OP1"),
        pret("P4", A, "PLAI", 12, operation="OP1"),  # max(12, 12) = 12 logements PLAI
    ]
    resultat = calculer([organisme(A)], prets)
    assert ligne(resultat, A).aide_production == D("44") * 3300
    (operation,) = ligne(resultat, A).explication.operations_production
    assert (operation.logements_plus, operation.logements_plai, operation.logements) == (32, 12, 44)


def test_decision_pret_sans_numero_d_operation_est_sa_propre_operation():
    prets = [pret("P1", A, "PLUS_FONCIER", 10), pret("P2", A, "PLUS", 10), pret("P3", A, "PLUS", 10, operation="")]
    resultat = calculer([organisme(A)], prets)
    assert ligne(resultat, A).aide_production == D("30") * 3300
    assert len(ligne(resultat, A).explication.operations_production) == 3


def test_decision_operation_incoherente_en_siren_ou_en_zone_refusee():
    prets = [
        pret("P1", A, "PLUS", 1, "1", operation="OP-SIREN"),
        pret("P2", B, "PLUS_FONCIER", 1, "1", operation="OP-SIREN"),
        pret("P3", A, "PLUS", 1, "1", operation="OP-ZONE"), pret("P4", A, "PLAI", 1, "2", operation="OP-ZONE"),
        pret("P5", A, "PLUS", 1, "1", operation="OP-OK"), pret("P6", A, "PAM", 0, None, operation="OP-OK"),
    ]
    assert operations_incoherentes(prets) == ["OP-SIREN", "OP-ZONE"]
    with pytest.raises(CalculImpossible, match="OP-SIREN, OP-ZONE"):
        calculer([organisme(A), organisme(B)], prets)


def test_pret_plus_sans_zone_refuse():
    with pytest.raises(CalculImpossible, match="sans zone valable.*P1"):
        calculer([organisme(A)], [pret("P1", A, "PLUS", 3, None)])


# --- Réhabilitation ------------------------------------------------------------------------------------------


def test_rehabilitation_taux_sur_pam_et_eco_pret_arrondi_au_demi_superieur():
    prets = [pret("P1", A, "PAM", zone=None, montant="0.10"), pret("P2", A, "ECO_PRET", zone=None, montant="0.20")]
    # 5 % × (0,10 + 0,20) = 0,015 → 0,02 : la base est la somme des prêts PAM et Éco-prêt.
    assert ligne(calculer([organisme(A)], prets), A).aide_rehabilitation == D("0.02")
    prets = [pret("P1", A, "PAM", zone=None, montant="0.50")]  # 5 % × 0,50 = 0,025 → 0,03 (pair : 0,02)
    assert ligne(calculer([organisme(A)], prets), A).aide_rehabilitation == D("0.03")


# --- Restructuration -----------------------------------------------------------------------------------------


def test_restructuration_sous_le_plafond_n_fois_montant_en_zone_detendue_seulement():
    declarations = [RestructurationEntree(A, 2013, "R1", 40, True), RestructurationEntree(A, 2013, "R2", 9, False),
                    RestructurationEntree(A, 2012, "R3", 9, True)]
    resultat = calculer([organisme(A)], (), declarations)
    assert ligne(resultat, A).aide_restructuration == D("24000.00")
    assert not resultat.plafond_restructuration_atteint
    motifs = {h.objet.reference: h.motif for h in resultat.hors_champ}
    assert motifs == {"R2": "ZONE_NON_DETENDUE", "R3": "AUTRE_ANNEE"}


def test_decision_plafond_restructuration_enveloppe_partagee_au_plus_fort_reste():
    # Enveloppe 2 × 100,00 = 200,00 pour N = 3 : 66,666… chacun ; 2 centimes restants aux deux plus petits SIREN.
    declarations = [RestructurationEntree(s, 2013, "R", 1, True) for s in (C, A, B)]
    resultat = calculer([organisme(A), organisme(B), organisme(C)], (), declarations,
                        avec=bareme(plafond_restructuration=2, montant_restructuration=D("100.00")))
    assert [ligne(resultat, s).aide_restructuration for s in (A, B, C)] == [D("66.67"), D("66.67"), D("66.66")]
    assert resultat.plafond_restructuration_atteint
    assert resultat.logements_restructuration_national == 3


def test_decision_plafond_restructuration_somme_exacte_de_l_enveloppe_2013():
    declarations = [RestructurationEntree(A, 2013, "R", 3001, True), RestructurationEntree(B, 2013, "R", 2999, True)]
    resultat = calculer([organisme(A), organisme(B)], (), declarations)
    aides = [ligne(resultat, s).aide_restructuration for s in (A, B)]
    assert sum(aides) == D("3000000.00")
    assert aides == [D("1500500.00"), D("1499500.00")]  # 3 M€ × 3 001 / 6 000 et × 2 999 / 6 000


def test_decision_exoneres_partagent_l_enveloppe_avec_n_complet_puis_taux():
    # N = 5 + 5 > plafond 5 : enveloppe 3 000 partagée 1 500 / 1 500 ; l'exonéré reçoit ensuite 50 % de 1 500.
    declarations = [RestructurationEntree(A, 2013, "R", 5, True), RestructurationEntree(E, 2013, "R", 5, True)]
    resultat = calculer([organisme(A), organisme(E, plan="CONSOLIDATION")], (), declarations,
                        avec=bareme(plafond_restructuration=5, taux_aide_exoneres=D("0.5")))
    assert ligne(resultat, A).aide_restructuration == D("1500.00")
    assert ligne(resultat, E).aide_restructuration == D("750.00")
    assert ligne(resultat, E).explication.aide_restructuration_avant_taux == D("1500.00")


def test_decision_taux_exoneres_nul_les_exclut_du_partage_de_restructuration():
    # Taux 0 : l'exonéré ne compte pas dans N (5 ≤ plafond 5) ; A reçoit 5 × 600 en entier, rien ne se perd.
    declarations = [RestructurationEntree(A, 2013, "R", 5, True), RestructurationEntree(E, 2013, "R", 5, True)]
    resultat = calculer([organisme(A), organisme(E, plan="CONSOLIDATION")], (), declarations,
                        avec=bareme(plafond_restructuration=5, taux_aide_exoneres=D("0")))
    assert ligne(resultat, A).aide_restructuration == D("3000.00")
    assert ligne(resultat, E).aide_restructuration == D("0.00")
    assert resultat.logements_restructuration_national == 5
    assert (E, "RestructurationEntree", "EXONERE_TAUX_NUL") in motifs_hors_champ(resultat)


# --- Ajustements ---------------------------------------------------------------------------------------------


def test_ajustements_signes_ajoutes_a_l_aide_avec_leur_motif():
    ajustements = [AjustementEntree(A, D("500.00"), "Opération ANRU oubliée"),
                   AjustementEntree(A, D("-200.50"), "Prêt annulé après signature")]
    resultat = calculer([organisme(A), organisme(B)], [pret("P1", A, "PLUS", 1)], (), ajustements)
    a = ligne(resultat, A)
    assert (a.ajustements, a.aide_totale) == (D("299.50"), D("3599.50"))
    assert len(a.explication.ajustements) == 2


@pytest.mark.parametrize("motif", ["", "   ", None])
def test_ajustement_sans_motif_refuse(motif):
    with pytest.raises(CalculImpossible, match="motif écrit"):
        calculer([organisme(A)], [pret("P1", A, "PLUS", 1)], (), [AjustementEntree(A, D("1.00"), motif)])


def test_ajustement_pour_un_organisme_non_concerne_refuse():
    with pytest.raises(CalculImpossible, match="non concerné.*" + S):
        calculer([organisme(A), organisme(S, "SEM")], [pret("P1", A, "PLUS", 1)], (),
                 [AjustementEntree(S, D("1.00"), "Erreur")])


def test_total_a_couvrir_negatif_refuse():
    with pytest.raises(CalculImpossible, match="négatif"):
        calculer([organisme(A)], [pret("P1", A, "PLUS", 1)], (), [AjustementEntree(A, D("-4000.00"), "Reprise")])


# --- Contributions -------------------------------------------------------------------------------------------


def test_total_a_couvrir_inclut_les_frais_de_gestion_et_soldes_egaux_a_moins_les_frais():
    resultat = calculer([organisme(A), organisme(B)], [pret("P1", A, "PLUS", 1)],
                        avec=bareme(frais_gestion=D("150.00")))
    assert resultat.total_a_couvrir == D("3450.00")
    assert sum(lg.solde for lg in resultat.lignes) == D("-150.00") == resultat.total_soldes


def test_parts_cglls_et_loyers_arrondies_patrimoine_par_difference():
    # T = 0,03 : 25 % → 0,0075 → 0,01 ; 50 % → 0,015 → 0,02 ; patrimoine = 0,03 − 0,01 − 0,02 = 0,00.
    resultat = calculer([organisme(A), organisme(E, plan="CONSOLIDATION")], (), (),
                        [AjustementEntree(E, D("0.03"), "Régularisation")])
    assert (resultat.total_cotisation_cglls, resultat.total_loyers, resultat.total_patrimoine) == (
        D("0.01"), D("0.02"), D("0.00"))


def test_contributions_au_prorata_des_trois_bases():
    organismes = [organisme(A, cotisation="1.00", loyers="3.00", logements=0),
                  organisme(B, cotisation="3.00", loyers="1.00", logements=1)]
    resultat = calculer(organismes, [pret("P1", A, "PLUS", 4, "2")])  # T = 5 200 → 1 300 / 2 600 / 1 300
    a, b = ligne(resultat, A), ligne(resultat, B)
    assert (a.part_cotisation_cglls, a.part_loyers, a.part_patrimoine) == (D("325.00"), D("1950.00"), D("0.00"))
    assert (b.part_cotisation_cglls, b.part_loyers, b.part_patrimoine) == (D("975.00"), D("650.00"), D("1300.00"))


def test_egalite_de_restes_au_plus_petit_siren():
    # T = 0,03 (ajustement d'un exonéré) ; A et B ont des bases identiques : le centime CGLLS va à A (SIREN plus petit).
    resultat = calculer([organisme(B), organisme(A), organisme(E, plan="CONSOLIDATION")], (), (),
                        [AjustementEntree(E, D("0.03"), "Régularisation")])
    a, b = ligne(resultat, A), ligne(resultat, B)
    assert (a.part_cotisation_cglls, b.part_cotisation_cglls) == (D("0.01"), D("0.00"))
    assert (a.contribution, b.contribution) == (D("0.02"), D("0.01"))


@pytest.mark.parametrize(
    ("champ", "nom"),
    [({"cotisation": "0.00"}, "cotisation CGLLS"), ({"loyers": "0.00"}, "loyers"), ({"logements": 0}, "logements")],
)
def test_base_nulle_arrete_le_calcul(champ, nom):
    organismes = [organisme(A, **champ), organisme(B, **champ), organisme(E, plan="CONSOLIDATION")]
    with pytest.raises(CalculImpossible, match=f"base « {nom}.* totalise zéro"):
        calculer(organismes, [pret("P1", A, "PLUS", 1)])


def test_sans_contributeur_le_calcul_s_arrete():
    with pytest.raises(CalculImpossible, match="totalise zéro"):
        calculer([organisme(E, plan="RETABLISSEMENT")], [pret("P1", E, "PLUS", 1)])


def test_sens_du_solde():
    resultat = calculer([organisme(A), organisme(B), organisme(C, logements=0, loyers="0.00", cotisation="0.00")],
                        [pret("P1", A, "PLUS", 2)])
    assert [ligne(resultat, s).sens for s in (A, B, C)] == ["versement", "appel_de_fonds", "nul"]


# --- Barème et entrées ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changements", "message"),
    [
        ({"poids_loyers": D("0.49")}, "totaliser 100 %"),
        ({"montant_zone_1": D("-1.00")}, "montant_zone_1.* négatif"),
        ({"taux_aide_exoneres": D("1.5")}, "taux_aide_exoneres.* dépasser 100 %"),
        ({"frais_gestion": D("0.001")}, "frais_gestion.* au centime"),
        ({"taux_rehabilitation": 0.05}, "taux_rehabilitation.* Decimal"),
    ],
)
def test_bareme_invalide_refuse(changements, message):
    with pytest.raises(BaremeInvalide, match=message):
        bareme(**changements).verifier()
    with pytest.raises(BaremeInvalide):
        calculer([organisme(A)], avec=bareme(**changements))


def test_bareme_2013_valable():
    assert BAREME_2013.erreurs() == []


def test_bareme_d_une_autre_annee_refuse():
    with pytest.raises(CalculImpossible, match="2014"):
        calculer_campagne(2014, BAREME_2013, [organisme(A)], (), (), ())


def test_doublons_refuses():
    with pytest.raises(CalculImpossible, match="restructuration en double"):
        calculer([organisme(A)], (), [RestructurationEntree(A, 2013, "R", 1, True)] * 2)
    with pytest.raises(CalculImpossible, match="SIREN en double"):
        calculer([organisme(A), organisme(A)])
    with pytest.raises(CalculImpossible, match="prêt en double.*P1"):
        calculer([organisme(A)], [pret("P1", A, "PLUS", 1), pret("P1", A, "PLAI", 1)])


# --- Invariants ----------------------------------------------------------------------------------------------


def _remplacer_ligne(resultat, siren, **changements):
    lignes = tuple(replace(lg, **changements) if lg.siren == siren else lg for lg in resultat.lignes)
    return replace(resultat, lignes=lignes)


@pytest.mark.parametrize(
    ("alteration", "message"),
    [
        (lambda r: _remplacer_ligne(r, A, solde=D("40298.91")), "solde ≠ aide − contribution"),
        (lambda r: _remplacer_ligne(r, A, aide_totale=D("66666.66")), "aide totale ≠ somme"),
        (lambda r: _remplacer_ligne(r, A, contribution=D("26367.78"), solde=D("40298.89")), "contribution ≠ somme"),
        (lambda r: _remplacer_ligne(r, A, sens="appel_de_fonds"), "sens"),
        (lambda r: _remplacer_ligne(r, E, part_loyers=D("0.01"), contribution=D("0.01"), solde=D("6599.99")),
         "exonéré contribue"),
        (lambda r: _remplacer_ligne(r, B, part_loyers=D("37861.40"), contribution=D("76398.90"),
                                    solde=D("-46898.89")), "Σ parts loyers ≠ T_loyers"),
        (lambda r: _remplacer_ligne(r, E, aide_production=D("6600.000")), "deux décimales"),
        (lambda r: _remplacer_ligne(r, E, aide_production=D("6600.0")), "deux décimales"),
        (lambda r: _remplacer_ligne(r, E, aide_production=6600), "deux décimales"),
        (lambda r: _remplacer_ligne(r, E, aide_production=6600.0), "400000006 aide_production"),  # not a Decimal
        (lambda r: _remplacer_ligne(r, E, aide_production="6600.00"), "400000006 aide_production"),
        (lambda r: replace(r, total_a_couvrir=D("NaN")), "deux décimales"),
        (lambda r: replace(r, total_a_couvrir=D("102766.69")), "T ≠ Σ aides"),
        (lambda r: replace(r, lignes=r.lignes[::-1]), "triées"),
    ],
)
def test_verifier_invariants_detecte_chaque_violation(alteration, message):
    resultat = calculer(*exemple_a_la_main())
    verifier_invariants(resultat)
    with pytest.raises(InvariantViole, match=message):
        verifier_invariants(alteration(resultat))


# --- Empreinte -----------------------------------------------------------------------------------------------


def test_empreinte_deterministe_et_independante_de_l_ordre():
    organismes, prets, restructurations, ajustements = exemple_a_la_main()
    empreinte = empreinte_entrees(2013, BAREME_2013, organismes, prets, restructurations, ajustements)
    assert len(empreinte) == 64
    melange = empreinte_entrees(2013, BAREME_2013, organismes[::-1], prets[::-1], restructurations[::-1], ajustements)
    assert melange == empreinte
    prets_un_zero = [replace(p, montant=D("100000.0")) if p.numero_pret == "P05" else p for p in prets]
    assert empreinte_entrees(2013, BAREME_2013, organismes, prets_un_zero, restructurations, ajustements) == empreinte


@pytest.mark.parametrize(
    "changement",
    [
        lambda o, p, r, a, b: (o, [replace(p[0], montant=D("100000.01"))] + p[1:], r, a, b),
        lambda o, p, r, a, b: (o, p, r, [replace(a[0], motif="Autre motif")], b),
        lambda o, p, r, a, b: (o, p, r[:1], a, b),
        lambda o, p, r, a, b: ([replace(o[0], plan_cglls="CONSOLIDATION")] + o[1:], p, r, a, b),
        lambda o, p, r, a, b: (o, p, r, a, replace(b, frais_gestion=D("0.01"))),
    ],
)
def test_empreinte_change_avec_chaque_entree(changement):
    entrees = (*exemple_a_la_main(), BAREME_2013)
    o, p, r, a, b = changement(*entrees)
    assert empreinte_entrees(2013, b, o, p, r, a) != empreinte_entrees(2013, BAREME_2013, *entrees[:4])


# --- Jeu national : le pacte chiffre ≈ 280 M€ pour 120 000 productions et 100 000 réhabilitations -------------


def jeu_national(nb_organismes=550, nb_prets=50_000, graine=2013):
    """Un jeu réaliste : ≈ 5 000 opérations / 120 000 logements, 100 000 réhabilitations, 6 000 restructurations."""
    alea = random.Random(graine)
    organismes = [_organisme_national(alea, i) for i in range(nb_organismes)]
    hlm = [o.siren for o in organismes if o.famille != "SEM"]
    prets = []
    for op in range(nb_organismes * 9):  # ≈ 24 logements par opération
        prets += _operation_nationale(alea, op, alea.choice(hlm))
    for numero in range(nb_organismes * 22):  # ≈ 9 réhabilitations à ≈ 5 000 € par prêt
        logements = alea.randint(1, 17)
        prets.append(pret(f"R{numero}", alea.choice(hlm), alea.choice(["PAM", "ECO_PRET"]), logements, None,
                          montant=f"{logements * alea.randint(4000, 6000)}.{alea.randint(0, 99):02d}"))
    while len(prets) < nb_prets:
        prets.append(pret(f"X{len(prets)}", alea.choice(hlm), alea.choice(["PLS", "PSLA", "AUTRE"]), 10,
                          montant="1000000.00"))
    restructurations = [RestructurationEntree(alea.choice(hlm), 2013, f"D{i}", alea.randint(1, 40), True)
                        for i in range(300)]
    return organismes, prets, restructurations, [AjustementEntree(hlm[0], D("12345.67"), "Cas particulier")]


def _organisme_national(alea, i):
    logements = alea.randint(300, 40_000)
    loyers = logements * alea.randint(4000, 6000)
    famille = "SEM" if i % 50 == 49 else alea.choice(["OPH", "ESH", "COOP", "SACICAP"])
    plan = "CONSOLIDATION" if i % 60 == 7 else "REPRISE_PATRIMOINE" if i % 90 == 3 else "AUCUN"
    return organisme(f"{i:09d}", famille, metropole=i % 40 != 39, patrimoine=logements, loyers=f"{loyers}.00",
                     logements=logements, cotisation=f"{loyers // 100}.{i % 100:02d}", plan=plan)


def _operation_nationale(alea, op, siren):
    zone = alea.choice(["1", "1bis", "1", "1", "2", "2", "2", "3", "3", "3"])  # 40 % en zone 1 / 1bis
    plus, plai = alea.randint(5, 30), alea.randint(0, 14)
    prets = [pret(f"O{op}-1", siren, "PLUS", plus, zone, operation=f"OP{op}", montant=f"{plus * 90000}.00")]
    if alea.random() < 0.5:
        prets.append(pret(f"O{op}-2", siren, "PLUS_FONCIER", plus, zone, operation=f"OP{op}", montant="50000.00"))
    if plai:
        prets.append(pret(f"O{op}-3", siren, "PLAI", plai, zone, operation=f"OP{op}", montant=f"{plai * 80000}.00"))
    return prets


def test_jeu_national_proche_des_280_millions_du_pacte():
    organismes, prets, restructurations, ajustements = jeu_national()
    assert len(organismes) == 550 and len(prets) == 50_000
    resultat = calculer(organismes, prets, restructurations, ajustements)
    logements = sum(op.logements for lg in resultat.lignes for op in lg.explication.operations_production)
    assert 110_000 <= logements <= 130_000
    assert resultat.plafond_restructuration_atteint
    assert D("260000000") <= resultat.total_a_couvrir <= D("300000000")
    assert resultat.total_contributions == resultat.total_a_couvrir


# --- Propriétés sur des campagnes générées --------------------------------------------------------------------

POOL = [f"{i}0000000{i}" for i in range(1, 9)]
PROPRIETES = settings(max_examples=150, deadline=None, database=None)
montants = st.integers(min_value=0, max_value=10**9).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def organismes_generes(draw):
    sirens = draw(st.lists(st.sampled_from(POOL[1:]), unique=True, max_size=6))
    contributeur = organisme(POOL[0], loyers=str(draw(montants) + 1), cotisation=str(draw(montants) + 1),
                             logements=draw(st.integers(1, 10**5)))
    return [contributeur] + [
        organisme(s, draw(st.sampled_from(["OPH", "ESH", "COOP", "SACICAP", "SEM"])),
                  metropole=draw(st.booleans()) or draw(st.booleans()), patrimoine=draw(st.integers(0, 3)),
                  loyers=str(draw(montants)), cotisation=str(draw(montants)), logements=draw(st.integers(0, 10**5)),
                  plan=draw(st.sampled_from(["AUCUN", "RETABLISSEMENT", "CONSOLIDATION", "REPRISE_PATRIMOINE"])))
        for s in sirens
    ]


@st.composite
def prets_generes(draw, sirens):
    """Des prêts dont chaque opération garde un seul SIREN et une seule zone, comme l'import l'impose."""
    prets, operations = [], {}
    for numero in range(draw(st.integers(0, 20))):
        operation = draw(st.sampled_from([None, "OP1", "OP2", "OP3", "OP4"]))
        lieu = (draw(st.sampled_from([*sirens, "999999999"])), draw(st.sampled_from(["1", "1bis", "2", "3"])))
        siren, zone = operations.setdefault(operation, lieu) if operation else lieu
        produit = draw(st.sampled_from(["PLUS", "PLUS_FONCIER", "PLAI", "PLAI_FONCIER", "PAM", "ECO_PRET", "PLS"]))
        signature = date(draw(st.sampled_from([2012, 2013, 2013])), 5, 1)
        prets.append(PretEntree(f"P{numero}", operation, siren, produit, signature, draw(montants),
                                draw(st.integers(0, 200)), zone))
    return prets


@st.composite
def baremes_generes(draw):
    cglls = draw(st.integers(0, 100))
    loyers = draw(st.integers(0, 100 - cglls))
    return bareme(
        montant_zone_1=draw(montants), montant_zone_2_3=draw(montants), montant_restructuration=draw(montants),
        taux_rehabilitation=D(draw(st.integers(0, 10_000))).scaleb(-4),
        plafond_restructuration=draw(st.integers(0, 50)),
        poids_cotisation_cglls=D(cglls).scaleb(-2), poids_loyers=D(loyers).scaleb(-2),
        poids_patrimoine=D(100 - cglls - loyers).scaleb(-2), frais_gestion=draw(montants),
        taux_aide_exoneres=draw(st.sampled_from([D("0"), D("0.5"), D("1"), D("0.33"), D("0.995")])),
    )


@st.composite
def campagnes(draw):
    organismes = draw(organismes_generes())
    sirens = [o.siren for o in organismes]
    restructurations = draw(st.lists(st.builds(RestructurationEntree, st.sampled_from(sirens), st.just(2013),
                                               st.sampled_from(["R1", "R2", "R3"]), st.integers(0, 30), st.booleans()),
                                     max_size=6, unique_by=lambda r: (r.siren, r.reference)))
    concernes = [o.siren for o in organismes if o.famille != "SEM" and o.metropole and o.patrimoine_locatif > 0]
    ajustements = draw(st.lists(st.builds(AjustementEntree, st.sampled_from(concernes), montants, st.just("Motif")),
                                max_size=3))
    return organismes, draw(prets_generes(sirens)), restructurations, ajustements, draw(baremes_generes())


def _contributeurs(organismes):
    return [o for o in organismes if o.famille != "SEM" and o.metropole and o.patrimoine_locatif > 0
            and o.plan_cglls not in ("RETABLISSEMENT", "CONSOLIDATION")]


@PROPRIETES
@given(campagnes())
def test_invariants_sur_des_campagnes_generees(campagne):
    organismes, prets, restructurations, ajustements, avec = campagne
    resultat = calculer(organismes, prets, restructurations, ajustements, avec=avec)
    verifier_invariants(resultat)
    assert sum(lg.solde for lg in resultat.lignes) == -avec.frais_gestion
    assert sum(lg.contribution for lg in resultat.lignes) == resultat.total_a_couvrir
    contributeurs = _contributeurs(organismes)
    assert {lg.siren for lg in resultat.lignes if not lg.exonere} == {o.siren for o in contributeurs}
    bases = {"part_loyers": (resultat.total_loyers, lambda o: o.loyers),
             "part_patrimoine": (resultat.total_patrimoine, lambda o: o.logements)}
    for nom, (total, base) in bases.items():
        somme = sum(base(o) for o in contributeurs)
        for o in contributeurs:
            exacte = Fraction(total) * Fraction(base(o)) / Fraction(somme)
            assert abs(Fraction(getattr(ligne(resultat, o.siren), nom)) - exacte) < Fraction(1, 100)


@PROPRIETES
@given(campagnes(), st.randoms())
def test_resultat_et_empreinte_independants_de_l_ordre_des_entrees(campagne, alea):
    organismes, prets, restructurations, ajustements, avec = campagne
    melanges = [alea.sample(liste, len(liste)) for liste in (organismes, prets, restructurations, ajustements)]
    assert calculer(*melanges, avec=avec) == calculer(organismes, prets, restructurations, ajustements, avec=avec)
    assert empreinte_entrees(2013, avec, *melanges) == empreinte_entrees(2013, avec, organismes, prets,
                                                                         restructurations, ajustements)
