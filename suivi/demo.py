"""Jeu de démonstration du suivi : agréments, réhabilitations et objectifs aux formats de formats.md, calibrés sur les
chiffres publiés de la production 2013-2015 (docs/suivi-donnees.md).

Pur Python, sans ORM : `generer_suivi(seed, organismes)` rend le jeu en mémoire, `ecrire_fichiers_suivi(jeu, dossier)`
écrit agrements_2013.csv … rehabilitations_2015.csv et objectifs.csv. Un seul random.Random par graine, tirages sur
des entiers, partages au plus fort reste : même graine, mêmes octets. Les maîtres d'ouvrage sont les organismes du
jeu de la mutualisation de la même graine (mêmes SIREN), plus des investisseurs que le référentiel ne connaît pas
(une part des PLS) : la part Hlm reste sous 100 %.
"""

import csv
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import accumulate
from pathlib import Path

from mutualisation.demo.referentiel import communes, departements, siren_avec_cle
from pacte.arrondis import partager_plus_fort_reste, round_half_up

ANNEES = (2013, 2014, 2015)
METROPOLE = ("11", "21", "22", "23", "24", "25", "26", "31", "41", "42", "43", "52", "53", "54", "72", "73", "74",
             "82", "83", "91", "93", "94")

# Logements sociaux financés en métropole hors ANRU (bilans publiés) et les chiffres régionaux connus.
PRODUCTION = {2013: 117_065, 2014: 106_414, 2015: 108_921}
PART_IDF_2013 = Fraction(266, 1000)  # l'Île-de-France fait 26,6 % du total 2013
PRODUCTION_REGIONS = {
    2013: {"82": 12_419, "93": 8_863, "72": 7_648, "73": 6_740, "52": 6_722, "31": 6_579, "91": 6_128, "94": 510,
           "43": 449},
    2014: {"11": 27_670, "93": 8_275, "91": 5_658, "52": 6_555, "31": 6_936, "41": 3_098, "23": 2_575, "83": 1_958,
           "22": 2_004, "25": 1_606, "54": 1_648, "43": 521, "74": 324, "94": 365},
    2015: {"11": 30_320, "93": 10_303, "91": 5_017, "52": 5_617, "31": 6_686, "41": 2_201, "23": 3_124, "83": 1_178,
           "22": 1_715, "25": 1_459, "54": 1_190, "43": 853, "74": 519, "94": 408},
}
PARTS_PRODUITS_2013 = {"PLUS": Fraction(468, 1000), "PLAI": Fraction(254, 1000)}  # PLS : le reste, 27,8 %
PRODUITS = {2014: {"PLUS": 51_490, "PLAI": 28_449, "PLS": 26_475},
            2015: {"PLUS": 53_115, "PLAI": 27_634, "PLS": 28_172}}
# Les régions sans chiffre publié se partagent le reste au prorata de ces poids (ordre de grandeur de leur production).
POIDS_PRODUCTION = {"21": 1_700, "22": 2_200, "23": 2_700, "24": 2_700, "25": 1_800, "26": 1_400, "41": 3_000,
                    "42": 3_000, "53": 5_000, "54": 1_900, "74": 500, "83": 2_000, "72": 7_600, "73": 6_700,
                    "82": 12_400}
# Parc Hlm (milliers de logements) : poids de la réhabilitation, de l'ANRU et des objectifs de réhabilitation.
PARC = {"11": 1_200, "21": 110, "22": 120, "23": 150, "24": 170, "25": 90, "26": 100, "31": 370, "41": 140, "42": 100,
        "43": 70, "52": 180, "53": 150, "54": 80, "72": 150, "73": 130, "74": 40, "82": 430, "83": 60, "91": 140,
        "93": 300, "94": 13}
ANRU = {2013: 7_400, 2014: 6_300, 2015: 5_600}  # logements des opérations ANRU, en plus, comptés à part
ZUS = {"11": 3, "31": 3, "93": 2, "82": 2}  # l'ANRU pèse plus là où sont les grands quartiers

REHABILITATION = {2013: 96_000, 2014: 103_000, 2015: 101_500}  # logements rénovés (cible : 100 000 par an)
ECO_PRET = {2013: 34_000, 2014: 41_000, 2015: 38_000}  # dont financés par un éco-prêt
PART_IDF_ECO_PRET = {2013: Fraction(38, 100), 2014: Fraction(44, 100), 2015: Fraction(41, 100)}

OBJECTIF_PRODUCTION, OBJECTIF_REHABILITATION = 120_000, 100_000  # part Hlm, par an (pacte §1)
POIDS_OBJECTIFS = {"11": 37_000, "82": 13_500, "93": 11_500, "72": 7_000, "73": 6_500, "52": 6_500, "31": 7_000,
                   "91": 7_000, "53": 4_500, "24": 2_800, "42": 2_800, "41": 2_600, "23": 2_600, "22": 2_100,
                   "26": 1_300, "21": 1_500, "83": 1_600, "25": 1_500, "54": 1_700, "43": 700, "74": 400, "94": 500}

# Préférences régionales des produits (%, 100 par défaut) : plus de PLAI en Île-de-France, de PLS en Alsace.
AFFINITES = {"PLAI": {"11": 115, "93": 110, "91": 105, "31": 95}, "PLS": {"11": 105, "42": 120, "93": 110, "94": 60}}
TAILLES = ((30, 1, 8), (35, 9, 25), (25, 26, 60), (10, 61, 150))  # (%, min, max) logements par opération
TAILLES_PLAI = ((60, 1, 12), (40, 13, 35))  # PLAI seuls : pensions de famille, petites résidences
TAILLES_PLS = ((40, 10, 40), (45, 41, 100), (15, 101, 200))  # PLS seuls : résidences étudiantes, EHPAD
TAILLES_REHABILITATION = ((40, 10, 60), (40, 61, 200), (20, 201, 600))
NATURES = (("NEUF", 52), ("VEFA", 36), ("ACQUISITION_AMELIORATION", 10), ("ACQUISITION", 2))
NATURES_ANRU = (("NEUF", 80), ("VEFA", 15), ("ACQUISITION_AMELIORATION", 5))
ETIQUETTES_AVANT = {True: (("D", 12), ("E", 45), ("F", 30), ("G", 13)),
                    False: (("C", 5), ("D", 20), ("E", 40), ("F", 25), ("G", 10))}
ETIQUETTES_APRES = {True: (("A", 3), ("B", 27), ("C", 50), ("D", 20)),
                    False: (("A", 1), ("B", 14), ("C", 40), ("D", 35), ("E", 10))}
PRODUCTEURS = {"OPH": 10, "ESH": 12, "COOP": 3}  # poids par logement du parc
AUTRES_MAITRES_D_OUVRAGE = ("SEM", "COLLECTIVITE", "AGREE_L365", "ASSOCIATION")
INVESTISSEURS = 30  # maîtres d'ouvrage de PLS inconnus du référentiel des organismes

ENTETES = {
    "agrements": ("annee", "numero_operation", "code_region", "code_departement", "code_commune", "siren", "produit",
                  "nb_logements", "nature", "anru"),
    "rehabilitations": ("annee", "numero_operation", "code_region", "code_departement", "code_commune", "siren",
                        "nb_logements", "etiquette_avant", "etiquette_apres", "eco_pret"),
    "objectifs": ("annee", "code_region", "objectif_production", "objectif_rehabilitation"),
}
# Les manières de chaque extrait : séparateur, BOM, en-têtes à l'accent, booléens.
MANIERES = {
    "agrements_2013": (";", False, False, ("oui", "non")),
    "agrements_2014": (";", True, True, ("1", "0")),
    "agrements_2015": (",", False, False, ("oui", "non")),
}
ENTETES_ACCENTUES = {"annee": "Année", "numero_operation": "Numéro opération", "code_region": "Code région",
                     "code_departement": "Code département", "code_commune": "Code commune", "siren": "SIREN",
                     "produit": "Produit", "nb_logements": "Nb logements", "nature": "Nature", "anru": "ANRU"}


@dataclass(frozen=True)
class AgrementDemo:
    annee: int
    numero_operation: str
    code_region: str
    code_departement: str
    code_commune: str
    siren: str
    produit: str
    nb_logements: int
    nature: str
    anru: bool


@dataclass(frozen=True)
class RehabilitationDemo:
    annee: int
    numero_operation: str
    code_region: str
    code_departement: str
    code_commune: str
    siren: str
    nb_logements: int
    etiquette_avant: str
    etiquette_apres: str
    eco_pret: bool


@dataclass(frozen=True)
class ObjectifDemo:
    annee: int
    code_region: str  # « FR » pour la ligne nationale
    objectif_production: int
    objectif_rehabilitation: int


@dataclass
class JeuSuivi:
    agrements: dict[int, list[AgrementDemo]] = field(default_factory=lambda: defaultdict(list))
    rehabilitations: dict[int, list[RehabilitationDemo]] = field(default_factory=lambda: defaultdict(list))
    objectifs: list[ObjectifDemo] = field(default_factory=list)
    investisseurs: tuple[str, ...] = ()


# --- La calibration : des totaux publiés aux volumes par région et produit --------------------------------------


def production_regionale(annee: int) -> dict[str, int]:
    """Logements hors ANRU par région : les chiffres publiés, le reste du total national partagé entre les autres."""
    connus = dict(PRODUCTION_REGIONS[annee])
    if annee == 2013:
        connus["11"] = int(round_half_up(PRODUCTION[2013] * PART_IDF_2013, 0))
    autres = {code: POIDS_PRODUCTION[code] for code in METROPOLE if code not in connus}
    return connus | partager_plus_fort_reste(PRODUCTION[annee] - sum(connus.values()), autres)


def produits_nationaux(annee: int) -> dict[str, int]:
    if annee in PRODUITS:
        return PRODUITS[annee]
    total = PRODUCTION[annee]
    parts = {produit: int(round_half_up(total * part, 0)) for produit, part in PARTS_PRODUITS_2013.items()}
    return parts | {"PLS": total - sum(parts.values())}


def _partager(total: int, poids: dict[str, int]) -> dict[str, int]:
    return partager_plus_fort_reste(total, poids) if total else dict.fromkeys(poids, 0)


class Generateur:
    def __init__(self, seed: int, organismes: Sequence):
        self.rng = random.Random(f"suivi-{seed}")  # noqa: S311 — données de démonstration reproductibles
        self.numeros: dict[tuple[int, str], int] = defaultdict(int)
        self._maitres_d_ouvrage(organismes)
        self.departements = self._departements()

    # Tirages -----------------------------------------------------------------------------------------------------

    def pct(self, pourcentage: int) -> bool:
        return self.rng.randrange(100) < pourcentage

    def parmi(self, choix) -> str:
        return self.rng.choices([c for c, _ in choix], cum_weights=list(accumulate(p for _, p in choix)))[0]

    def jusqua(self, total: int, tranches):
        """Des tailles tirées dans `tranches` dont la somme fait exactement `total` (la dernière prend le reste)."""
        while total > 0:
            tirage, valeur = self.rng.randrange(100), total
            for poids, bas, haut in tranches:
                if tirage < poids:
                    valeur = min(total, self.rng.randint(bas, haut))
                    break
                tirage -= poids
            total -= valeur
            yield valeur

    def _tireur(self, couples):
        population, cumul = [c for c, _ in couples], list(accumulate(p for _, p in couples))
        return lambda: self.rng.choices(population, cum_weights=cumul)[0]

    # Référentiels ------------------------------------------------------------------------------------------------

    def _maitres_d_ouvrage(self, organismes) -> None:
        """Bailleurs Hlm de chaque région au prorata de leur parc, les grandes ESH partout, les autres maîtres
        d'ouvrage (SEM, communes, agréés, associations) de la région, et des investisseurs inconnus."""
        metropole = [o for o in organismes if o.metropole and o.code_region in METROPOLE]
        producteurs = [o for o in metropole if o.famille in PRODUCTEURS and o.taille > 0]
        poids = [(o, o.taille * PRODUCTEURS[o.famille]) for o in producteurs]
        self.hlm = {r: self._tireur([(o.siren, p) for o, p in poids if o.code_region == r] or
                                    [(o.siren, p) for o, p in poids]) for r in METROPOLE}
        grandes = sorted((o for o in producteurs if o.famille == "ESH"), key=lambda o: (-o.taille, o.siren))[:30]
        self.hlm_national = self._tireur([(o.siren, o.taille) for o in grandes])
        autres = [o for o in metropole if o.famille in AUTRES_MAITRES_D_OUVRAGE]
        self.autres = {r: self._tireur([(o.siren, 1) for o in autres if o.code_region == r] or
                                       [(o.siren, 1) for o in autres]) for r in METROPOLE}
        connus, self.investisseurs = {o.siren for o in organismes}, []
        while len(self.investisseurs) < INVESTISSEURS:
            siren = siren_avec_cle("8" + "".join(str(self.rng.randrange(10)) for _ in range(7)))
            if siren not in connus and siren not in self.investisseurs:
                self.investisseurs.append(siren)

    def _departements(self) -> dict[str, tuple]:
        """Les départements de chaque région, pondérés par leurs villes (Paris pèse lourd), et leurs communes."""
        villes = defaultdict(list)
        for region in METROPOLE:
            for commune in communes()[region]:
                villes[commune.insee[:2]].append(commune.insee)
        par_region = defaultdict(list)
        for code, (_, region) in departements().items():
            par_region[region].append((code, 25 if code == "75" else 2 + 3 * len(villes[code])))
        return {r: (self._tireur(par_region[r]), villes) for r in METROPOLE}

    def lieu(self, region: str) -> tuple[str, str]:
        tirer, villes = self.departements[region]
        departement = tirer()
        candidates = villes[departement]
        return departement, self.rng.choice(candidates) if candidates and self.pct(85) else ""

    def maitre_d_ouvrage(self, region: str, part_autres: int, investisseurs: bool = False) -> str:
        """Un bailleur Hlm, ou (part_autres %) une SEM, une commune… ; pour un PLS seul, un investisseur sur deux."""
        if self.pct(part_autres):
            return self.rng.choice(self.investisseurs) if investisseurs and self.pct(50) else self.autres[region]()
        return self.hlm_national() if self.pct(8) else self.hlm[region]()

    def numero(self, prefixe: str, annee: int, departement: str) -> str:
        self.numeros[annee, prefixe] += 1
        return f"{prefixe}{annee}-{departement:0>3}-{self.numeros[annee, prefixe]:05d}"

    # Agréments ---------------------------------------------------------------------------------------------------

    def agrements(self, annee: int) -> list[AgrementDemo]:
        regions = production_regionale(annee)
        nationaux = produits_nationaux(annee)
        par_produit = {
            produit: partager_plus_fort_reste(nationaux[produit], {
                r: regions[r] * AFFINITES.get(produit, {}).get(r, 100) * self.rng.randint(92, 108)
                for r in METROPOLE})
            for produit in ("PLUS", "PLAI")
        }
        lignes = []
        for r in METROPOLE:
            plus, plai = par_produit["PLUS"][r], par_produit["PLAI"][r]
            lignes += self._operations(annee, r, plus, plai, regions[r] - plus - plai, anru=False)
        anru = _partager(ANRU[annee], {r: PARC[r] * ZUS.get(r, 1) for r in METROPOLE})
        for r in METROPOLE:
            lignes += self._operations(annee, r, anru[r] * 60 // 100, anru[r] - anru[r] * 60 // 100, 0, anru=True)
        return sorted(lignes, key=lambda a: (a.numero_operation, a.produit))

    def _operations(self, annee: int, region: str, plus: int, plai: int, pls: int, anru: bool) -> list[AgrementDemo]:
        """Opérations PLUS, mixtes PLUS + PLAI (55 %), avec un PLS parfois, puis PLAI seuls et PLS seuls."""
        if pls < 0:
            raise ValueError(f"Région {region} {annee} : plus de PLUS et de PLAI que de logements.")
        operations = []
        for taille in self.jusqua(plus, TAILLES):
            operation = {"PLUS": taille}
            if plai and taille >= 4 and self.pct(55):
                operation["PLAI"] = min(plai, max(1, taille * self.rng.randint(25, 55) // 100))
                plai -= operation["PLAI"]
            if pls and taille >= 10 and self.pct(12):
                operation["PLS"] = min(pls, max(1, taille * self.rng.randint(10, 35) // 100))
                pls -= operation["PLS"]
            operations.append(operation)
        operations += [{"PLAI": taille} for taille in self.jusqua(plai, TAILLES_PLAI)]
        operations += [{"PLS": taille} for taille in self.jusqua(pls, TAILLES_PLS)]
        return [ligne for operation in operations for ligne in self._operation(annee, region, operation, anru)]

    def _operation(self, annee: int, region: str, logements: dict[str, int], anru: bool) -> list[AgrementDemo]:
        departement, commune = self.lieu(region)
        pls_seul = list(logements) == ["PLS"]
        siren = self.maitre_d_ouvrage(region, 3 if anru else 40 if pls_seul else 9, investisseurs=pls_seul)
        nature = self.parmi(NATURES_ANRU if anru else NATURES)
        numero = self.numero("", annee, departement)
        return [AgrementDemo(annee, numero, region, departement, commune, siren, produit, nb, nature, anru)
                for produit, nb in logements.items()]

    # Réhabilitations ---------------------------------------------------------------------------------------------

    def rehabilitations(self, annee: int) -> list[RehabilitationDemo]:
        eco_idf = int(round_half_up(ECO_PRET[annee] * PART_IDF_ECO_PRET[annee], 0))
        eco = {"11": eco_idf} | _partager(ECO_PRET[annee] - eco_idf, {r: PARC[r] for r in METROPOLE if r != "11"})
        autres = _partager(REHABILITATION[annee] - ECO_PRET[annee], PARC)
        lignes = []
        for r in METROPOLE:
            for eco_pret, total in ((True, eco[r]), (False, autres[r])):
                lignes += [self._renovation(annee, r, taille, eco_pret)
                           for taille in self.jusqua(total, TAILLES_REHABILITATION)]
        return sorted(lignes, key=lambda r: r.numero_operation)

    def _renovation(self, annee: int, region: str, logements: int, eco_pret: bool) -> RehabilitationDemo:
        departement, commune = self.lieu(region)
        siren = self.hlm[region]() if self.pct(93) else self.autres[region]()
        avant = self.parmi(ETIQUETTES_AVANT[eco_pret])
        apres = self.parmi([(e, p) for e, p in ETIQUETTES_APRES[eco_pret] if e < avant])
        return RehabilitationDemo(annee, self.numero("RH", annee, departement), region, departement, commune, siren,
                                  logements, avant, apres, eco_pret)


def objectifs() -> list[ObjectifDemo]:
    """La ligne nationale (FR) et les 22 régions, chaque année ; les régions somment exactement au national."""
    production = partager_plus_fort_reste(OBJECTIF_PRODUCTION, POIDS_OBJECTIFS)
    rehabilitation = partager_plus_fort_reste(OBJECTIF_REHABILITATION, PARC)
    return [ligne for annee in ANNEES for ligne in (
        ObjectifDemo(annee, "FR", OBJECTIF_PRODUCTION, OBJECTIF_REHABILITATION),
        *(ObjectifDemo(annee, r, production[r], rehabilitation[r]) for r in METROPOLE))]


def generer_suivi(seed: int, organismes: Sequence | None = None) -> JeuSuivi:
    """Le jeu du suivi d'une graine ; `organismes` : ceux du jeu de la mutualisation (tirés de la même graine s'ils
    ne sont pas donnés)."""
    if organismes is None:
        from mutualisation.demo import generer_jeu

        organismes = generer_jeu(seed).organismes
    generateur = Generateur(seed, organismes)
    jeu = JeuSuivi(objectifs=objectifs(), investisseurs=tuple(generateur.investisseurs))
    for annee in ANNEES:
        jeu.agrements[annee] = generateur.agrements(annee)
        jeu.rehabilitations[annee] = generateur.rehabilitations(annee)
    return jeu


# --- Fichiers ----------------------------------------------------------------------------------------------------


def ecrire_fichiers_suivi(jeu: JeuSuivi, dossier: Path) -> dict[str, Path]:
    """Écrit les fichiers du suivi ; rend {nom: chemin} dans l'ordre d'import (agréments, réhabilitations,
    objectifs)."""
    dossier = Path(dossier)
    dossier.mkdir(parents=True, exist_ok=True)
    fichiers = {}
    for annee in ANNEES:
        nom = f"agrements_{annee}"
        separateur, bom, accents, (oui, non) = MANIERES[nom]
        entetes = [ENTETES_ACCENTUES[e] for e in ENTETES["agrements"]] if accents else ENTETES["agrements"]
        lignes = ((a.annee, a.numero_operation, a.code_region, a.code_departement, a.code_commune, a.siren, a.produit,
                   a.nb_logements, a.nature, oui if a.anru else non) for a in jeu.agrements[annee])
        fichiers[nom] = _csv(dossier / f"{nom}.csv", entetes, lignes, separateur=separateur, bom=bom)
    for annee in ANNEES:
        lignes = ((r.annee, r.numero_operation, r.code_region, r.code_departement, r.code_commune, r.siren,
                   r.nb_logements, r.etiquette_avant, r.etiquette_apres, "oui" if r.eco_pret else "non")
                  for r in jeu.rehabilitations[annee])
        fichiers[f"rehabilitations_{annee}"] = _csv(dossier / f"rehabilitations_{annee}.csv",
                                                    ENTETES["rehabilitations"], lignes)
    lignes = ((o.annee, o.code_region, o.objectif_production, o.objectif_rehabilitation) for o in jeu.objectifs)
    fichiers["objectifs"] = _csv(dossier / "objectifs.csv", ENTETES["objectifs"], lignes)
    return fichiers


def nombre_lignes_suivi(jeu: JeuSuivi) -> dict[str, int]:
    compte = {f"agrements_{a}": len(jeu.agrements[a]) for a in ANNEES}
    compte |= {f"rehabilitations_{a}": len(jeu.rehabilitations[a]) for a in ANNEES}
    return compte | {"objectifs": len(jeu.objectifs)}


def _csv(chemin: Path, entetes, lignes, *, separateur: str = ";", bom: bool = False) -> Path:
    with chemin.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fichier:
        ecrivain = csv.writer(fichier, delimiter=separateur, lineterminator="\r\n")
        ecrivain.writerow(entetes)
        ecrivain.writerows(lignes)
    return chemin
