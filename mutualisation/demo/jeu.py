"""Le jeu de démonstration en mémoire (montants en centimes entiers), les volumes de chaque année et la calibration."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from mutualisation.calculs import BAREME_2013, Bareme
from pacte.arrondis import arrondi_cents, cents

CIBLE_2013 = Decimal("223500000.00")  # aides de la première mutualisation, sur l'activité 2013


@dataclass(frozen=True)
class Activite:
    """Volumes d'une année chez les organismes concernés (Hlm, métropole, patrimoine > 0)."""

    logements_production: int  # logements PLUS + PLAI (comptés une fois par opération et famille)
    logements_restructuration: int  # logements déclarés en zone détendue
    cible_aides: Decimal | None  # la réhabilitation est calibrée pour que les aides l'atteignent
    rehabilitation: int = 0  # centimes de PAM + Éco-prêt, pour une année sans cible
    debut: tuple[int, int] = (1, 1)  # (mois, jour) de la première signature de l'extrait
    echelle: int = 100  # volume du hors-champ (PLS, PSLA, SEM, outre-mer…) en % d'une année pleine


ACTIVITES = {
    2012: Activite(28_000, 0, None, rehabilitation=60_000_000_000, debut=(10, 1), echelle=40),
    2013: Activite(72_000, 4_620, CIBLE_2013),
    2014: Activite(76_000, 6_350, Decimal("236000000.00"), echelle=105),
    2015: Activite(80_000, 4_950, Decimal("248000000.00"), echelle=110),
}

EFFECTIFS_HLM = {"OPH": 274, "ESH": 274, "COOP": 170, "SACICAP": 6}  # métropole
EFFECTIFS_OUTRE_MER = {"OPH": 3, "ESH": 10, "COOP": 2}
EFFECTIFS_NON_HLM = {"SEM": 25, "AGREE_L365": 12, "ARHLM": 12, "COLLECTIVITE": 6, "ASSOCIATION": 5, "AUTRE": 2}
AVEC_BASES = {*EFFECTIFS_HLM, "SEM", "AGREE_L365"}  # le fichier des bases ne connaît que ces familles
PATRIMOINE_HLM = {"OPH": 2_080_000, "ESH": 2_165_000, "COOP": 55_000}  # logements au 1er janvier 2013


@dataclass(eq=False)
class OrganismeDemo:
    siren: str
    raison_sociale: str
    famille: str
    code_region: str
    metropole: bool
    taille: int = 0  # logements locatifs au 1er janvier 2013
    avec_bases: bool = True
    loyer: int = 0  # centimes par logement et par an, 2013
    foyers: int = 0  # places de foyer pour 1 000 logements
    cotisation: int = 0  # cotisation CGLLS en points de base des loyers
    bases: dict[int, "BaseDemo"] = field(default_factory=dict, repr=False)

    @property
    def hlm(self) -> bool:
        return self.famille in EFFECTIFS_HLM

    def concerne(self, annee: int) -> bool:
        base = self.bases.get(annee)
        return self.hlm and self.metropole and base is not None and base.patrimoine_locatif > 0


@dataclass(frozen=True)
class BaseDemo:
    siren: str
    annee: int
    patrimoine_locatif: int
    loyers: int  # centimes
    logements: int
    cotisation_cglls: int  # centimes
    plan_cglls: str


@dataclass(frozen=True)
class PretDemo:
    numero_pret: str
    numero_operation: str
    siren: str
    produit: str
    date_signature: date
    montant: int  # centimes
    nb_logements: int
    zone: str
    code_commune: str


@dataclass(frozen=True)
class RestructurationDemo:
    siren: str
    annee: int
    nb_logements: int
    zone_detendue: bool
    code_commune: str
    reference: str


@dataclass(frozen=True)
class Calibrage:
    """Ce que l'année a tiré chez les concernés, et la réhabilitation qui en découle."""

    annee: int
    logements_zone_1: int
    logements_zone_2_3: int
    logements_restructuration: int
    rehabilitation: int  # centimes de PAM + Éco-prêt
    cible_aides: Decimal | None


@dataclass
class JeuDemo:
    annees: tuple[int, ...]
    organismes: list[OrganismeDemo]
    prets: list[PretDemo] = field(default_factory=list)
    restructurations: dict[int, list[RestructurationDemo]] = field(default_factory=lambda: defaultdict(list))
    calibrages: dict[int, Calibrage] = field(default_factory=dict)


def calibrer(cible: Decimal, bareme: Bareme, *, logements_zone_1: int, logements_zone_2_3: int,
             logements_restructuration: int) -> int:
    """Montant (centimes) de prêts PAM et Éco-prêt qui porte les aides de l'année à `cible`.

    Aides = production (logements × montant de leur zone) + restructuration (n × montant, l'enveloppe si n dépasse
    le plafond) + taux × réhabilitation ; on résout pour la réhabilitation. Exact à l'arrondi par organisme près,
    tant que les exonérés reçoivent toute leur aide (taux_aide_exoneres = 100 %, le cas de 2013)."""
    production = (logements_zone_1 * cents(bareme.montant_zone_1)
                  + logements_zone_2_3 * cents(bareme.montant_zone_2_3))
    restructuration = (min(logements_restructuration, bareme.plafond_restructuration)
                       * cents(bareme.montant_restructuration))
    reste = cents(cible) - production - restructuration
    if reste <= 0 or bareme.taux_rehabilitation <= 0:
        raise ValueError(f"Cible {cible} € inatteignable : production et restructuration la dépassent déjà.")
    return arrondi_cents(Fraction(reste, 100) / Fraction(bareme.taux_rehabilitation))


def bareme_de(annee: int) -> Bareme:
    """Les années suivantes sont calibrées au barème 2013 (la commission n'en a pas encore fixé d'autre)."""
    return replace(BAREME_2013, annee=annee)
