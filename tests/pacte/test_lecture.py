"""Reading and validation of imported files (pacte.lecture): formats.md is the specification."""

import ast
import datetime as dt
import io
import random
import struct
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pacte.lecture import (
    BASES,
    ORGANISMES,
    PRETS,
    RESTRUCTURATIONS,
    Annee,
    Booleen,
    Choix,
    CodeCommune,
    Colonne,
    Date,
    Entier,
    Erreur,
    ErreurLecture,
    Format,
    Montant,
    Siren,
    Texte,
    centimes,
    code_region,
    formater_erreurs,
    lire_fichier,
    normaliser_entete,
    valeur_connue,
    valider,
    valider_morceaux,
)
from pacte.lecture import fichier as module_fichier
from pacte.lecture.valeurs import conformes
from pacte.lecture.xlsx.cellules import texte_nombre

NBSP, NNBSP = "\u00a0", "\u202f"
BOM = "\ufeff"
MOTIF_VIDE = "valeur obligatoire manquante"


def siren_valide(huit_chiffres: str) -> str:
    """Complete 8 digits with the Luhn check digit (independent reference implementation)."""
    for cle in "0123456789":
        chiffres = [int(c) for c in huit_chiffres + cle][::-1]
        total = sum(c if i % 2 == 0 else (c * 2 - 9 if c * 2 > 9 else c * 2) for i, c in enumerate(chiffres))
        if total % 10 == 0:
            return huit_chiffres + cle
    raise AssertionError


SIREN_A = siren_valide("55210055")  # 552100554
SIREN_B = siren_valide("00123456")  # leading zeros, kept as text
SIREN_FAUX = SIREN_A[:-1] + str((int(SIREN_A[-1]) + 1) % 10)


def csv(texte: str) -> bytes:
    return texte.encode("utf-8")


def valider_csv(texte: str, fmt):
    return valider(lire_fichier(csv(texte), "import.csv"), fmt)


def triplets(resultat) -> list[tuple[int, str, str]]:
    return [(e.ligne, e.colonne, e.valeur) for e in resultat.erreurs]


def analyser(type_valeur, valeurs: list[str], **options):
    """Validate a column `v` of values on lines 2, 3, … (beside a filled column `n`, so that no line is empty):
    cleaned values (None when missing), and reasons by line."""
    texte = "n;v\n" + "".join(f'{i};"{v}"\n' for i, v in enumerate(valeurs))
    resultat = valider_csv(texte, Format("test", (Colonne("n", Texte()), Colonne("v", type_valeur, **options))))
    assert [e.colonne for e in resultat.erreurs] == ["v"] * len(resultat.erreurs)
    return [None if pd.isna(v) else v for v in resultat.donnees["v"]], {e.ligne: e.motif for e in resultat.erreurs}


# --- CSV -----------------------------------------------------------------------------------------------------


PRETS_CSV = (
    "numero_pret;numero_operation;siren;produit;date_signature;montant;nb_logements;zone;code_commune\n"
    f"P1;OP1;{SIREN_A};PLUS;2013-05-17;1 234,56;12;1bis;2A004\n"
    f"P2;;{SIREN_B};PLS;17/05/2013;1234.5;3;;\n"
)


def test_csv_point_virgule_sans_bom():
    df = lire_fichier(csv(PRETS_CSV), "prets.csv")
    assert list(df.columns)[:3] == ["numero_pret", "numero_operation", "siren"]
    assert df.index.tolist() == [2, 3] and df.index.name == "ligne"
    assert df.loc[2, "montant"] == "1 234,56"
    assert df.loc[3, "siren"] == SIREN_B  # leading zeros: never read as a number
    assert all(df[c].map(type).eq(str).all() for c in df.columns)


def test_csv_avec_bom_et_fins_de_ligne_windows():
    contenu = (BOM + PRETS_CSV.replace("\n", "\r\n")).encode("utf-8")
    df = lire_fichier(contenu, "PRETS.CSV")
    assert df.columns[0] == "numero_pret"
    assert df.loc[3, "code_commune"] == ""
    assert valider(df, PRETS).ok


def test_csv_virgule_avec_decimales_francaises_entre_guillemets():
    texte = 'siren,montant\n' f'{SIREN_A},"1 234,56"\n' f"{SIREN_B},12.5\n"
    df = lire_fichier(csv(texte), "x.csv")
    assert df["montant"].tolist() == ["1 234,56", "12.5"]


def test_separateur_point_virgule_malgre_les_virgules_decimales():
    texte = "montant;nb\n1,5;2\n3,25;4\n"
    df = lire_fichier(csv(texte), "x.csv")
    assert list(df.columns) == ["montant", "nb"]
    assert df["montant"].tolist() == ["1,5", "3,25"]


def test_une_seule_colonne():
    df = lire_fichier(csv("siren\n552100554\n"), "x.csv")
    assert list(df.columns) == ["siren"] and df["siren"].tolist() == ["552100554"]


def test_csv_ligne_vide_au_milieu_garde_la_numerotation():
    texte = f"siren;v\n{SIREN_A};a\n\n{SIREN_FAUX};b\n"
    resultat = valider_csv(texte, Format("t", (Colonne("siren", Siren()), Colonne("v", Texte()))))
    assert triplets(resultat) == [(4, "siren", SIREN_FAUX)]
    assert resultat.donnees.index.tolist() == [2, 4]  # the blank line 3 is skipped, not an error


def test_csv_non_utf8_refuse_avec_la_ligne():
    contenu = "siren;nom\n552100554;Office\n552100554;Société\n".encode("latin-1")
    with pytest.raises(ErreurLecture, match="UTF-8.*ligne 3"):
        lire_fichier(contenu, "x.csv")


@pytest.mark.parametrize("contenu", [b"", b"\n\n", BOM.encode("utf-8"), b"   "])
def test_csv_vide(contenu):
    with pytest.raises(ErreurLecture, match="vide"):
        lire_fichier(contenu, "x.csv")


def test_csv_lignes_avec_trop_de_champs_toutes_listees():
    texte = "a;b\n1;2\n1;2;3\n4;5\n6;7;8;9\n"
    with pytest.raises(ErreurLecture, match=r"\(2\) : 3, 5") as erreur:
        lire_fichier(csv(texte), "x.csv")
    assert [(e.ligne, e.motif) for e in erreur.value.erreurs] == [
        (3, "3 champs au lieu de 2"),
        (5, "4 champs au lieu de 2"),
    ]


def test_csv_virgule_decimale_non_protegee_explique():
    with pytest.raises(ErreurLecture) as erreur:
        lire_fichier(csv("siren,montant\n552100554,12,5\n"), "x.csv")
    assert erreur.value.erreurs[0].motif == "3 champs au lieu de 2 (virgule décimale non protégée par des guillemets ?)"


def test_csv_guillemet_non_ferme():
    with pytest.raises(ErreurLecture, match="guillemet"):
        lire_fichier(csv('a;b\n"1;2\n3;4\n'), "x.csv")


def test_csv_trop_volumineux():
    with pytest.raises(ErreurLecture, match="trop volumineux"):
        lire_fichier(csv(PRETS_CSV), "x.csv", taille_max=100)


@pytest.mark.parametrize(
    ("nom", "motif"),
    [("x.xls", r"\.xls"), ("x.ods", r"non pris en charge \(\.ods\)"), ("sans_extension", "sans extension")],
)
def test_extension_non_prise_en_charge(nom, motif):
    with pytest.raises(ErreurLecture, match=motif):
        lire_fichier(b"a;b\n", nom)


def test_classeur_nomme_csv():
    with pytest.raises(ErreurLecture, match="classeur Excel"):
        lire_fichier(classeur([["a"], ["b"]]), "x.csv")


# --- Headers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entete", "attendu"),
    [
        ("  SIREN ", "siren"),
        ("Raison Sociale", "raison_sociale"),
        ("CODE_RÉGION", "code_region"),
        ("Métropole", "metropole"),
        ("date-de-signature", "date_de_signature"),
        ("Numéro  de prêt", "numero_de_pret"),
    ],
)
def test_normaliser_entete(entete, attendu):
    assert normaliser_entete(entete) == attendu


def test_entetes_accents_majuscules_ordre_libre_et_colonnes_inconnues():
    texte = (
        "Métropole;Commentaire; CODE_RÉGION ;Famille;Raison Sociale;SIREN;Extra\n"
        f"oui;à revoir;11;oph;Office Paris;{SIREN_A};1\n"
        f"Non;;94;esh;Société Corse;{SIREN_B};\n"
    )
    resultat = valider_csv(texte, ORGANISMES)
    assert resultat.ok, resultat.rapport()
    assert resultat.colonnes_ignorees == ["Commentaire", "Extra"]
    assert list(resultat.donnees.columns) == ["siren", "raison_sociale", "famille", "code_region", "metropole"]
    assert resultat.lignes()[1] == {
        "siren": SIREN_B, "raison_sociale": "Société Corse", "famille": "ESH", "code_region": "94",
        "metropole": False,
    }


def test_colonne_obligatoire_absente_et_colonne_en_double():
    texte = f"siren;Siren;raison_sociale;famille;metropole\n{SIREN_A};{SIREN_A};Office;OPH;oui\n"
    resultat = valider_csv(texte, ORGANISMES)
    assert [(e.ligne, e.colonne, e.valeur, e.motif) for e in resultat.erreurs] == [
        (1, "siren", "Siren", "colonne en double dans l'en-tête"),
        (1, "code_region", "", "colonne obligatoire absente de l'en-tête"),
    ]


def test_colonne_facultative_absente_prend_son_defaut():
    texte = f"siren;annee;patrimoine_locatif;loyers;logements;cotisation_cglls\n{SIREN_A};2013;10;1,00;12;0\n"
    resultat = valider_csv(texte, BASES)
    assert resultat.ok and resultat.donnees["plan_cglls"].tolist() == ["AUCUN"]


def test_alias_d_entete():
    fmt = Format("t", (Colonne("numero_pret", Texte(), alias=("N° de prêt",)),))
    assert valider_csv("N° de prêt\nP1\n", fmt).donnees["numero_pret"].tolist() == ["P1"]


def test_format_refuse_deux_colonnes_au_meme_entete_et_un_defaut_invalide():
    with pytest.raises(ValueError, match="même en-tête"):
        Format("t", (Colonne("Année", Annee()), Colonne("annee", Annee())))
    with pytest.raises(ValueError, match="défaut"):
        Format("t", (Colonne("zone", Choix(["1", "2"]), defaut="4"),))
    with pytest.raises(ValueError, match="colonne inconnue"):
        Format("t", (Colonne("a", Texte()),), cles=("b",))


# --- Values --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("brut", "attendu"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        (f"1{NBSP}234{NBSP}567,8", "1234567.80"),
        (f"1{NNBSP}234,56{NNBSP}€", "1234.56"),
        ("1 234,56 €", "1234.56"),
        ("1234€", "1234.00"),
        ("0,5", "0.50"),
        ("007", "7.00"),
        ("12,500", "12.50"),
        ("+12", "12.00"),
        ("-0,00", "0.00"),
        ("  42  ", "42.00"),
        ("9999999999999,99", "9999999999999.99"),
    ],
)
def test_montants_acceptes(brut, attendu):
    valeurs, erreurs = analyser(Montant(), [brut])
    assert erreurs == {} and valeurs == [attendu]


@pytest.mark.parametrize(
    ("brut", "motif"),
    [
        ("-5", "montant négatif interdit"),
        ("-1 234,56", "montant négatif interdit"),
        ("\u22123,10", "montant négatif interdit"),
        ("12,345", "montant invalide : plus de 2 décimales"),
        ("0.001", "montant invalide : plus de 2 décimales"),
        ("10000000000000", "montant trop grand"),
        ("1 2345", "montant invalide (attendu par exemple 1234,56 ou 1 234,56)"),
        ("1.234,56", "montant invalide (attendu par exemple 1234,56 ou 1 234,56)"),
        ("1,234.56", "montant invalide (attendu par exemple 1234,56 ou 1 234,56)"),
        ("12 34", "montant invalide (attendu par exemple 1234,56 ou 1 234,56)"),
        ("€12", "montant invalide (attendu par exemple 1234,56 ou 1 234,56)"),
        ("douze", "montant invalide (attendu par exemple 1234,56 ou 1 234,56)"),
        ("١٢", "montant invalide (attendu par exemple 1234,56 ou 1 234,56)"),  # Arabic-Indic digits
        (",5", "montant invalide (attendu par exemple 1234,56 ou 1 234,56)"),
    ],
)
def test_montants_refuses(brut, motif):
    valeurs, erreurs = analyser(Montant(), [brut])
    assert erreurs == {2: motif} and valeurs == [None]


def test_montant_signe_et_centimes_et_decimal():
    valeurs, erreurs = analyser(Montant(negatif=True), ["-1 234,5", "-0,01", "3"])
    assert erreurs == {} and valeurs == ["-1234.50", "-0.01", "3.00"]
    assert centimes(pd.Series(valeurs, dtype=str)).tolist() == [-123450, -1, 300]
    assert Montant().en_python("1234.50") == Decimal("1234.50")


@pytest.mark.parametrize(
    ("brut", "attendu"),
    [("2013-05-17", "2013-05-17"), ("17/05/2013", "2013-05-17"), ("7/5/2013", "2013-05-07"),
     ("2012-02-29", "2012-02-29"), ("17/05/2013 00:00:00", "2013-05-17")],
)
def test_dates_acceptees(brut, attendu):
    assert analyser(Date(), [brut]) == ([attendu], {})


@pytest.mark.parametrize(
    ("brut", "motif"),
    [
        ("31/02/2013", "date invalide (ce jour n'existe pas)"),
        ("2013-02-29", "date invalide (ce jour n'existe pas)"),
        ("2013-13-01", "date invalide (ce jour n'existe pas)"),
        ("2013/05/17", "date invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"),
        ("17-05-2013", "date invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"),
        ("17/05/13", "date invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"),
        ("2013-05-17 14:30", "date invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"),
        ("hier", "date invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)"),
    ],
)
def test_dates_refusees(brut, motif):
    assert analyser(Date(), [brut])[1] == {2: motif}


def test_booleens():
    valeurs, erreurs = analyser(Booleen(), ["oui", "NON", "True", "false", "1", "0", "Vrai", "peut-être"])
    assert valeurs[:7] == [True, False, True, False, True, False, True]
    assert erreurs == {9: "booléen invalide : attendu oui/non, true/false ou 1/0"}


def test_siren():
    valeurs, erreurs = analyser(
        Siren(), [SIREN_A, SIREN_B, "552 100 554", SIREN_FAUX, "12345678", SIREN_A + "00012", "ABC", "55210055４"]
    )
    assert valeurs[:3] == [SIREN_A, SIREN_B, SIREN_A]
    assert erreurs == {
        5: "SIREN invalide (clé de Luhn)",
        6: "SIREN invalide : 9 chiffres attendus (zéro initial perdu par le tableur ? "
        "saisir la colonne au format texte)",
        7: "SIREN invalide : 9 chiffres attendus (c'est un SIRET de 14 chiffres)",
        8: "SIREN invalide : 9 chiffres attendus",
        9: "SIREN invalide : 9 chiffres attendus",  # a full-width digit is not a digit here
    }


def test_entiers():
    valeurs, erreurs = analyser(Entier(), ["12", "1 234", "12,0", "0", "-3", "1,5", "douze", "1" * 16])
    assert valeurs[:4] == [12, 1234, 12, 0]
    assert erreurs == {
        6: "nombre négatif interdit", 7: "nombre entier attendu", 8: "nombre entier attendu",
        9: "nombre trop grand",
    }


def test_entier_bornes():
    assert analyser(Entier(minimum=1, maximum=10), ["0", "11"])[1] == {
        2: "nombre inférieur au minimum 1", 3: "nombre supérieur au maximum 10",
    }


def test_annees():
    assert analyser(Annee(), ["2013", "13", "1850", "2013.5"]) == (
        [2013, None, None, None],
        {n: "année invalide (attendu AAAA entre 1990 et 2100)" for n in (3, 4, 5)},
    )


def test_choix_souple_et_message_listant_les_valeurs():
    produits = Choix(["PLUS", "PLUS_FONCIER", "PLAI", "ECO_PRET"], "produit inconnu")
    valeurs, erreurs = analyser(produits, ["plus", "Plus Foncier", "éco-prêt", "PLUSS"])
    assert valeurs[:3] == ["PLUS", "PLUS_FONCIER", "ECO_PRET"]
    assert erreurs == {5: "produit inconnu : attendu PLUS, PLUS_FONCIER, PLAI, ECO_PRET"}


def test_zone():
    zone = PRETS.colonne("zone").type
    valeurs, erreurs = analyser(zone, ["1", "1 bis", "1BIS", "2", "3", "4"])
    assert valeurs[:5] == ["1", "1bis", "1bis", "2", "3"]
    assert erreurs == {7: "zone inconnue : attendu 1, 1bis, 2, 3"}


def test_codes_commune_et_region():
    valeurs, erreurs = analyser(CodeCommune(), ["75056", "2a004", "2B033", "1004", "2C001", "750560"])
    assert valeurs[:3] == ["75056", "2A004", "2B033"]
    assert sorted(erreurs) == [5, 6, 7] and "zéro initial perdu" in erreurs[5]
    valeurs, erreurs = analyser(code_region(), ["11", "94", "01", "1", "99", "FR"])
    assert valeurs[:3] == ["11", "94", "01"]
    assert "zéro initial perdu" in erreurs[5] and erreurs[6].startswith("code région inconnu")
    assert 7 in erreurs and analyser(code_region(national=True), ["FR"]) == (["FR"], {})


def test_texte_longueur_et_espaces_autour():
    assert analyser(Texte(5), ["  abc  ", "abcdef"]) == (["abc", None], {3: "texte trop long (5 caractères au plus)"})


def test_vide_obligatoire_facultatif_et_defaut():
    assert analyser(Texte(), ["a", " ", "b"]) == (["a", None, "b"], {3: "valeur obligatoire manquante"})
    assert analyser(Texte(), ["a", "", "b"], vide=True)[1] == {}
    assert analyser(Choix(["AUCUN", "REPRISE"]), ["", "reprise"], defaut="AUCUN") == (["AUCUN", "REPRISE"], {})


def test_conformes_meme_avec_un_retour_a_la_ligne_dans_une_valeur():
    valeurs = pd.Series(["12", "1\n2", "x", "34"], dtype=str)
    assert conformes(valeurs, "[0-9]+").tolist() == [True, False, False, True]
    assert conformes(pd.Series(["a", "12", "b", "3"], dtype=str), "[0-9]+").tolist() == [False, True, False, True]


# --- Whole files: every error, exact line numbers --------------------------------------------------------


def test_toutes_les_erreurs_avec_ligne_colonne_valeur_et_motif():
    texte = (
        "numero_pret;numero_operation;siren;produit;date_signature;montant;nb_logements;zone;code_commune\n"
        f"P1;OP1;{SIREN_A};PLUS;2013-05-17;1 234,56;12;1bis;75056\n"
        f"P2;OP1;{SIREN_FAUX};PLAI;31/02/2013;-5;-1;;\n"
        ";;;;;;;;\n"
        f"P3;OP2;{SIREN_A};PLUSS;17/05/2013;12,345;2,5;4;7505\n"
        f"P1;;{SIREN_B};PLS;2014-01-02;10;1;;\n"
        f";;{SIREN_A};PLS;2014-01-02;;;;\n"
    )
    resultat = valider_csv(texte, PRETS)
    assert [(e.ligne, e.colonne, e.valeur, e.motif) for e in resultat.erreurs] == [
        (3, "siren", SIREN_FAUX, "SIREN invalide (clé de Luhn)"),
        (3, "date_signature", "31/02/2013", "date invalide (ce jour n'existe pas)"),
        (3, "montant", "-5", "montant négatif interdit"),
        (3, "nb_logements", "-1", "nombre négatif interdit"),
        (3, "zone", "", "zone obligatoire pour un prêt PLUS ou PLAI : attendu 1, 1bis, 2 ou 3"),
        (5, "produit", "PLUSS", "produit inconnu : attendu PLUS, PLUS_FONCIER, PLAI, PLAI_FONCIER, PLS, PSLA, "
         "PAM, ECO_PRET, AUTRE"),
        (5, "montant", "12,345", "montant invalide : plus de 2 décimales"),
        (5, "nb_logements", "2,5", "nombre entier attendu"),
        (5, "zone", "4", "zone inconnue : attendu 1, 1bis, 2, 3"),
        (5, "code_commune", "7505", "code commune invalide (5 caractères attendus, 2A ou 2B pour la Corse) "
         "(zéro initial perdu par le tableur ? saisir la colonne au format texte)"),
        (6, "numero_pret", "P1", "clé en double : même numero_pret qu'à la ligne 2"),
        (7, "numero_pret", "", MOTIF_VIDE),
        (7, "montant", "", MOTIF_VIDE),
        (7, "nb_logements", "", MOTIF_VIDE),
    ]
    assert not resultat.ok
    assert resultat.donnees.index.tolist() == [2, 3, 5, 6, 7]  # line 4 (empty) skipped


def test_donnees_typees_pretes_pour_copy():
    resultat = valider_csv(PRETS_CSV, PRETS)
    assert resultat.ok
    donnees = resultat.donnees
    assert donnees["montant"].tolist() == ["1234.56", "1234.50"]
    assert donnees["date_signature"].tolist() == ["2013-05-17", "2013-05-17"]
    assert str(donnees["nb_logements"].dtype) == "Int64" and str(donnees["zone"].dtype) in ("object", "str")
    assert donnees.to_csv(header=False, index=False).splitlines() == [
        f"P1,OP1,{SIREN_A},PLUS,2013-05-17,1234.56,12,1bis,2A004",
        f"P2,,{SIREN_B},PLS,2013-05-17,1234.50,3,,",
    ]
    assert resultat.lignes()[1] == {
        "numero_pret": "P2", "numero_operation": None, "siren": SIREN_B, "produit": "PLS",
        "date_signature": dt.date(2013, 5, 17), "montant": Decimal("1234.50"), "nb_logements": 3,
        "zone": None, "code_commune": None,
    }


def test_regle_non_repetee_quand_la_cellule_est_deja_en_erreur():
    texte = PRETS_CSV.splitlines()[0] + f"\nP9;;{SIREN_A};PLAI;2013-05-17;1;1;5;\n"
    assert [(e.colonne, e.motif) for e in valider_csv(texte, PRETS).erreurs] == [
        ("zone", "zone inconnue : attendu 1, 1bis, 2, 3")
    ]


def test_valeur_connue_du_referentiel():
    fmt = PRETS.avec_regles(valeur_connue("siren", {SIREN_A}, "SIREN inconnu : organisme absent du référentiel"))
    assert [(e.ligne, e.valeur, e.motif) for e in valider_csv(PRETS_CSV, fmt).erreurs] == [
        (3, SIREN_B, "SIREN inconnu : organisme absent du référentiel")
    ]


def test_cle_composee_en_double():
    texte = (
        "siren;annee;nb_logements;zone_detendue;code_commune;reference\n"
        f"{SIREN_A};2013;5;oui;;R1\n{SIREN_A};2014;5;non;;R1\n{SIREN_A};2013;5;1;75056;R1\n"
    )
    assert [(e.ligne, e.colonne, e.valeur, e.motif) for e in valider_csv(texte, RESTRUCTURATIONS).erreurs] == [
        (4, "siren, annee, reference", f"{SIREN_A} / 2013 / R1",
         "clé en double : même siren, annee, reference qu'à la ligne 2"),
    ]


def test_valider_un_dataframe_construit_a_la_main():
    df = pd.DataFrame({"v": ["1", "x", None]})
    resultat = valider(df, [Colonne("v", Entier(), vide=True)])
    assert [(e.ligne, e.motif) for e in resultat.erreurs] == [(3, "nombre entier attendu")]


# --- The four CDC formats ------------------------------------------------------------------------------------


def test_formats_cdc_acceptent_un_fichier_correct():
    fichiers = {
        ORGANISMES: f"siren;raison_sociale;famille;code_region;metropole\n{SIREN_A};OPH de Paris;OPH;11;oui\n",
        BASES: (
            "siren;annee;patrimoine_locatif;loyers;logements;cotisation_cglls;plan_cglls\n"
            f"{SIREN_A};2013;12000;45 000 000,00;12500;250 000;\n{SIREN_B};2013;10;1;10;0;reprise_patrimoine\n"
        ),
        PRETS: PRETS_CSV,
        RESTRUCTURATIONS: (
            "siren;annee;nb_logements;zone_detendue;code_commune;reference\n"
            f"{SIREN_A};2013;40;oui;93066;ANRU-12\n{SIREN_A};2013;8;non;;ANRU-13\n"
        ),
    }
    for fmt, texte in fichiers.items():
        resultat = valider_csv(texte, fmt)
        assert resultat.ok, (fmt.nom, resultat.rapport())
    assert valider_csv(fichiers[BASES], BASES).donnees["plan_cglls"].tolist() == ["AUCUN", "REPRISE_PATRIMOINE"]


def test_familles_identiques_a_l_enum_du_modele():
    from pacte.enums import Famille
    from pacte.lecture.declarations import FAMILLES

    assert FAMILLES == tuple(Famille.values)


def test_lecture_n_importe_pas_django():
    for chemin in Path(module_fichier.__file__).parent.rglob("*.py"):  # the xlsx package too
        arbre = ast.parse(chemin.read_text())
        modules = [a.name for n in ast.walk(arbre) if isinstance(n, ast.Import) for a in n.names]
        modules += [n.module or "" for n in ast.walk(arbre) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in modules if m.split(".")[0] in ("django", "rest_framework")], chemin


# --- XLSX ----------------------------------------------------------------------------------------------------


def classeur(lignes, *, feuilles_en_plus=0) -> bytes:
    wb = openpyxl.Workbook()
    for ligne in lignes:
        wb.active.append(ligne)
    for i in range(feuilles_en_plus):
        wb.create_sheet(f"autre{i}").append(["autre"])
    tampon = io.BytesIO()
    wb.save(tampon)
    return tampon.getvalue()


def test_xlsx_nombres_dates_et_textes_comme_l_utilisateur_les_voit():
    # Excel cells hold naive date-times (a spreadsheet has no time zone; openpyxl refuses aware ones).
    contenu = classeur([
        ["numero_pret", "montant", "nb_logements", "date_signature", "siren", "anru", "note"],
        ["P1", 1234.56, 12, dt.datetime(2013, 5, 17), SIREN_B, True, 0.1 + 0.2],  # noqa: DTZ001
        ["P2", 1234, 12.0, dt.date(2013, 5, 18), int(SIREN_B), False, 1e-05],
        [None] * 7,
        ["P3", 0.1, 3, dt.datetime(2013, 5, 17, 14, 30), 552100554, None, 1e20],  # noqa: DTZ001
    ], feuilles_en_plus=1)
    df = lire_fichier(contenu, "prets.XLSX")
    assert df.index.tolist() == [2, 3, 5]  # sheet row numbers; the empty row 4 is not kept
    assert df.to_dict("list") == {
        "numero_pret": ["P1", "P2", "P3"],
        "montant": ["1234.56", "1234", "0.1"],
        "nb_logements": ["12", "12", "3"],
        "date_signature": ["2013-05-17", "2013-05-18", "2013-05-17 14:30:00"],
        "siren": [SIREN_B, str(int(SIREN_B)), "552100554"],
        "anru": ["oui", "non", ""],
        "note": ["0.3", "0.00001", "100000000000000000000"],
    }


def test_xlsx_valide_de_bout_en_bout_avec_les_numeros_de_ligne():
    entete = ["numero_pret", "numero_operation", "siren", "produit", "date_signature", "montant",
              "nb_logements", "zone", "code_commune"]
    contenu = classeur([
        entete,
        ["P1", None, int(SIREN_A), "plus", dt.date(2013, 5, 17), 1234.5, 4, "1bis", "2A004"],
        [],
        ["P2", "OP", int(SIREN_B), "PLAI", dt.date(2013, 2, 1), -3, 2, 2, 75056],
    ])
    resultat = valider(lire_fichier(contenu, "prets.xlsx"), PRETS)
    assert [(e.ligne, e.colonne, e.valeur) for e in resultat.erreurs] == [
        (4, "siren", str(int(SIREN_B))), (4, "montant", "-3"),
    ]
    assert "zéro initial perdu" in resultat.erreurs[0].motif
    assert resultat.donnees.loc[2, "montant"] == "1234.50"


def test_xlsx_colonnes_au_dela_de_l_entete_ignorees():
    contenu = classeur([["a", "b", None], ["1", "2", "3"]])
    assert lire_fichier(contenu, "x.xlsx").to_dict("list") == {"a": ["1"], "b": ["2"]}


def test_xlsx_feuille_vide():
    with pytest.raises(ErreurLecture, match="vide"):
        lire_fichier(classeur([]), "x.xlsx")


@pytest.mark.parametrize(
    ("nombre", "texte"),
    [(1234.0, "1234"), (1234.56, "1234.56"), (0.1 + 0.2, "0.3"), (1e-05, "0.00001"), (-0.0, "0"),
     (123456789012.34, "123456789012.34"), (-2.5, "-2.5"), (1 / 3, "0.333333333333333")],
)
def test_texte_nombre(nombre, texte):
    assert texte_nombre(nombre) == texte


def test_xlsx_octets_au_hasard():
    with pytest.raises(ErreurLecture, match="pas un classeur XLSX valide"):
        lire_fichier(random.Random(7).randbytes(5000), "x.xlsx")


def test_xlsx_zip_tronque():
    contenu = classeur([["a"], ["1"]])
    with pytest.raises(ErreurLecture, match="pas un classeur XLSX valide"):
        lire_fichier(contenu[: len(contenu) // 2], "x.xlsx")


def test_xlsx_zip_qui_n_est_pas_un_classeur():
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        archive.writestr("bonjour.txt", "salut")
    with pytest.raises(ErreurLecture, match="Content_Types"):
        lire_fichier(tampon.getvalue(), "x.xlsx")


def test_xlsx_membre_endommage():
    contenu = remplacer_membre(classeur([["a"], ["1"]]), "xl/workbook.xml", b"<workbook><pas ferme")
    with pytest.raises(ErreurLecture, match="illisible ou endommagé"):
        lire_fichier(contenu, "x.xlsx")


def test_xlsx_protege_ou_xls():
    with pytest.raises(ErreurLecture, match="mot de passe"):
        lire_fichier(module_fichier.SIGNATURE_OLE + bytes(600), "x.xlsx")


def remplacer_membre(contenu: bytes, nom: str, donnees: bytes, compression=zipfile.ZIP_DEFLATED) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(contenu)) as source, zipfile.ZipFile(tampon, "w", compression) as cible:
        for membre in source.infolist():
            cible.writestr(membre.filename, donnees if membre.filename == nom else source.read(membre))
    return tampon.getvalue()


def avec_chaines_partagees(contenu: bytes) -> bytes:
    """Add a shared strings part, as Excel writes (openpyxl writes inline strings), declared in the manifest."""
    with zipfile.ZipFile(io.BytesIO(contenu)) as source:
        manifeste = source.read("[Content_Types].xml")
    manifeste = manifeste.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    contenu = remplacer_membre(contenu, "[Content_Types].xml", manifeste)
    tampon = io.BytesIO(contenu)
    with zipfile.ZipFile(tampon, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    return tampon.getvalue()


def test_xlsx_chaines_partagees_lues():
    assert lire_fichier(avec_chaines_partagees(classeur([["siren"], ["texte"]])), "x.xlsx").shape == (1, 1)


def declarer_taille(contenu: bytes, nom: str, taille: int) -> bytes:
    """Rewrite the uncompressed size the central directory declares for one member (a lying zip)."""
    octets = bytearray(contenu)
    debut = octets.find(b"PK\x01\x02")
    while debut != -1:
        longueur_nom = struct.unpack_from("<H", octets, debut + 28)[0]
        if octets[debut + 46 : debut + 46 + longueur_nom].decode() == nom:
            struct.pack_into("<I", octets, debut + 24, taille)
        debut = octets.find(b"PK\x01\x02", debut + 46)
    return bytes(octets)


def test_xlsx_bombe_taille_declaree_enorme():
    contenu = declarer_taille(classeur([["a"], ["1"]]), "xl/worksheets/sheet1.xml", 3_500_000_000)
    with pytest.raises(ErreurLecture, match="trop volumineux une fois décompressé"):
        lire_fichier(contenu, "x.xlsx")


def test_xlsx_bombe_taux_de_compression():
    contenu = declarer_taille(classeur([["a"], ["1"]]), "xl/worksheets/sheet1.xml", 150_000_000)
    with pytest.raises(ErreurLecture, match="plus de 100 fois"):
        lire_fichier(contenu, "x.xlsx")


def test_xlsx_bombe_reelle():
    feuille = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + b" " * 5_000_000 + b"</sheetData></worksheet>"
    )
    contenu = remplacer_membre(classeur([["a"]]), "xl/worksheets/sheet1.xml", feuille)
    assert len(contenu) < 100_000
    with pytest.raises(ErreurLecture, match="bombe"):
        lire_fichier(contenu, "x.xlsx")
    with pytest.raises(ErreurLecture, match="trop volumineux"):
        lire_fichier(classeur([["a"], ["1"]]), "x.xlsx", taille_max=5_000)


XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>siren</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row>
</sheetData></worksheet>"""

RIRES = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol3;</t></si></sst>"""


@pytest.mark.parametrize(
    ("membre", "xml"),
    [("xl/worksheets/sheet1.xml", XXE), ("xl/sharedStrings.xml", RIRES), ("xl/workbook.xml", RIRES)],
)
def test_xlsx_xml_hostile_refuse(membre, xml):
    contenu = avec_chaines_partagees(classeur([["siren"], ["texte"]]))
    contenu = remplacer_membre(contenu, membre, xml)
    with pytest.raises(ErreurLecture, match="XML interdit"):
        lire_fichier(contenu, "x.xlsx")


def test_openpyxl_utilise_defusedxml(monkeypatch):
    assert openpyxl.DEFUSEDXML is True
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="defusedxml"):
        lire_fichier(classeur([["a"], ["1"]]), "x.xlsx")


# --- Report --------------------------------------------------------------------------------------------------


def test_formater_erreurs_tableau_francais():
    erreurs = [
        Erreur(3, "siren", SIREN_FAUX, "SIREN invalide (clé de Luhn)"),
        Erreur(12, "montant", "", "valeur obligatoire manquante"),
        Erreur(140, "raison_sociale", "x" * 50, "texte trop long (30 caractères au plus)"),
    ]
    assert formater_erreurs(erreurs).splitlines() == [
        "Ligne  Colonne         Valeur                              Motif",
        f"    3  siren           « {SIREN_FAUX} »                       SIREN invalide (clé de Luhn)",
        "   12  montant         (vide)                              valeur obligatoire manquante",
        "  140  raison_sociale  « " + "x" * 29 + "… »  texte trop long (30 caractères au plus)",
    ]
    assert formater_erreurs(erreurs, limite=1).splitlines()[-1] == "… et 2 autres erreurs."


def test_rapport_du_resultat():
    texte = PRETS_CSV.replace("numero_pret;", "Commentaire;numero_pret;").replace("\nP", "\n;P")
    assert valider_csv(texte, PRETS).rapport().splitlines() == [
        "Fichier valide : 2 ligne(s) de données.",
        "Colonnes ignorées : Commentaire.",
    ]
    rapport = valider_csv(texte.replace("1 234,56", "-1"), PRETS).rapport()
    assert rapport.startswith("Fichier refusé : 1 erreur(s) sur 1 ligne(s).")
    assert rapport.splitlines()[-1] == "    2  montant  « -1 »  montant négatif interdit"


# --- Properties ----------------------------------------------------------------------------------------------


def format_francais(montant: Decimal, separateur: str, euro: bool) -> str:
    entier, decimales = f"{abs(montant):.2f}".split(".")
    groupes = f"{int(entier):,}".replace(",", separateur)
    return ("-" if montant < 0 else "") + f"{groupes},{decimales}" + (f"{NBSP}€" if euro else "")


montants = st.decimals(min_value=Decimal("-9999999999999.99"), max_value=Decimal("9999999999999.99"), places=2)


@settings(database=None, deadline=None, max_examples=300)
@given(st.lists(montants, min_size=1, max_size=20), st.sampled_from([" ", NBSP, NNBSP, ""]), st.booleans())
def test_propriete_montant_francais_relu_exactement(valeurs, separateur, euro):
    textes = [format_francais(v, separateur, euro) for v in valeurs]
    relus, erreurs = Montant(negatif=True).analyser(pd.Series(textes, dtype=str))
    assert erreurs.isna().all(), list(zip(textes, erreurs, strict=True))
    assert [Decimal(r) for r in relus] == valeurs
    assert all(r == f"{v:.2f}" or (v == 0 and r == "0.00") for r, v in zip(relus, valeurs, strict=True))


@settings(database=None, deadline=None)
@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False))
def test_propriete_nombre_excel_relu_exactement(montant):
    """Any amount typed in a number cell (float in the file) reads back as the same decimal."""
    assert Decimal(texte_nombre(float(montant))) == montant


# --- A file in pieces (a million-line extract in constant memory) ---------------------------------------------


def _prets_csv(lignes: list[str]) -> bytes:
    return csv(PRETS_CSV.splitlines()[0] + "\n" + "".join(ligne + "\n" for ligne in lignes))


def _pret(numero: str, montant: str = "10") -> str:
    return f"{numero};;{SIREN_A};PLS;2013-05-17;{montant};1;;"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_lire_morceaux_numerote_comme_lire_fichier(extension):
    if extension == "csv":
        contenu = csv("a;b\n1;2\n\n3;4\n5;6\n7;8\n")
    else:
        contenu = classeur([["a", "b"], ["1", "2"], [], ["3", "4"], ["5", "6"], ["7", "8"]])
    morceaux = list(module_fichier.lire_morceaux(contenu, f"x.{extension}", lignes=2))
    assert len(morceaux) == (3 if extension == "csv" else 2)  # the csv header shares the first piece
    assert morceaux[-1].index[-1] == 6  # the numbers go on from one piece to the next
    assert all(list(m.columns) == ["a", "b"] and len(m) <= 2 for m in morceaux)
    entier = lire_fichier(contenu, f"x.{extension}")
    assert pd.concat(morceaux).equals(entier)
    assert entier["a"].tolist()[-1] == "7"


def test_valider_morceaux_donne_les_erreurs_de_valider_dans_le_meme_ordre():
    contenu = _prets_csv([_pret("P1"), _pret("P2", "-1"), _pret("P1"), "", _pret("P3"), _pret("P2", "x")])
    recus = []
    resultat = valider_morceaux(module_fichier.lire_morceaux(contenu, "p.csv", lignes=2), PRETS, recus.append,
                                apercu=3)
    entier = valider(lire_fichier(contenu, "p.csv"), PRETS)
    assert resultat.erreurs == entier.erreurs  # duplicate keys across pieces too, naming the first line
    assert [e.motif for e in resultat.erreurs if e.colonne == "numero_pret"] == [
        "clé en double : même numero_pret qu'à la ligne 2", "clé en double : même numero_pret qu'à la ligne 3"]
    assert resultat.nb_lignes == len(entier.donnees) == 5
    assert pd.concat(recus).equals(entier.donnees)  # every typed line handed on once, the empty one skipped
    assert resultat.apercu.equals(entier.donnees.head(3))
    assert resultat.lignes_apercu()[0]["montant"] == Decimal("10.00")


def test_valider_morceaux_cle_composee_et_entete_une_seule_fois():
    entete = "siren;annee;nb_logements;zone_detendue;reference\n"
    lignes = [f"{SIREN_A};2013;1;oui;R1", f"{SIREN_A};2014;1;oui;R1", f"{SIREN_A};2013;2;non;R1"]
    contenu = csv(entete + "\n".join(lignes) + "\n")
    resultat = valider_morceaux(module_fichier.lire_morceaux(contenu, "r.csv", lignes=1), RESTRUCTURATIONS,
                                lambda d: None)
    assert triplets(resultat) == [
        (1, "code_commune", ""),  # the missing column, reported once and not once per piece
        (4, "siren, annee, reference", f"{SIREN_A} / 2013 / R1"),
    ]
    assert triplets(resultat) == triplets(valider(lire_fichier(contenu, "r.csv"), RESTRUCTURATIONS))


def test_le_nombre_de_lignes_compte_les_lignes_de_donnees_sans_l_en_tete(monkeypatch):
    monkeypatch.setattr(module_fichier, "LIGNES_MAX", 3)
    assert len(lire_fichier(csv("a\n1\n2\n3\n"), "x.csv")) == 3  # header and final line break not counted
    assert len(lire_fichier(csv("a\n1\n2\n3"), "x.csv")) == 3
    with pytest.raises(ErreurLecture, match=r"4 lignes de données \(3 au plus, sans compter l'en-tête\)"):
        lire_fichier(csv("a\n1\n2\n3\n4\n"), "x.csv")
    monkeypatch.setattr(module_fichier, "CELLULES_MAX", 5)
    with pytest.raises(ErreurLecture, match=r"3 lignes de 2 colonnes, plus de 5 cellules"):
        lire_fichier(csv("a;b\n1;2\n2;3\n3;4\n"), "x.csv")
    with pytest.raises(ErreurLecture, match=r"plus de 3 lignes de données ou de 5 cellules \(atteint ligne 4\)"):
        lire_fichier(classeur([["a", "b"], ["1", "2"], ["2", "3"], ["3", "4"]]), "x.xlsx")


def test_un_extrait_d_un_million_de_lignes_passe_les_bornes():
    """1 048 576 data lines of the 9 columns of prets and 3 extra ones: the largest real extract is accepted."""
    assert module_fichier.LIGNES_MAX >= 1_048_576
    assert module_fichier.CELLULES_MAX >= 1_000_000 * 12
    assert module_fichier.DECOMPRESSE_MAX >= 2 * 470 * 1024 * 1024  # measured: 470 Mo for a million lines
