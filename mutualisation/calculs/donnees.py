"""Les valeurs qui entrent dans le calcul de la mutualisation et celles qui en sortent (dataclasses figées)."""

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal

FAMILLES_HLM = frozenset({"OPH", "ESH", "COOP", "SACICAP"})
PLANS_CGLLS = frozenset({"AUCUN", "RETABLISSEMENT", "CONSOLIDATION", "REPRISE_PATRIMOINE"})
PLANS_EXONERANTS = frozenset({"RETABLISSEMENT", "CONSOLIDATION"})
PRODUITS_PLUS = frozenset({"PLUS", "PLUS_FONCIER"})
PRODUITS_PLAI = frozenset({"PLAI", "PLAI_FONCIER"})
PRODUITS_PRODUCTION = PRODUITS_PLUS | PRODUITS_PLAI
PRODUITS_REHABILITATION = frozenset({"PAM", "ECO_PRET"})
PRODUITS_AIDES = PRODUITS_PRODUCTION | PRODUITS_REHABILITATION
ZONES_1 = frozenset({"1", "1bis"})
ZONES_2_3 = frozenset({"2", "3"})

VERSEMENT, APPEL_DE_FONDS, NUL = "versement", "appel_de_fonds", "nul"

MOTIFS_HORS_CHAMP = {
    "ORGANISME_INCONNU": "organisme absent du référentiel",
    "ORGANISME_NON_HLM": "organisme hors famille Hlm (OPH, ESH, COOP, SACICAP)",
    "HORS_METROPOLE": "organisme non métropolitain",
    "PATRIMOINE_NUL": "organisme sans patrimoine locatif au 1er janvier de l'année",
    "AUTRE_ANNEE": "signé ou déclaré une autre année que celle de la campagne",
    "PRODUIT_NON_ELIGIBLE": "produit ni PLUS/PLAI ni PAM/Éco-prêt",
    "ZONE_NON_DETENDUE": "restructuration hors zone détendue",
    "EXONERE_TAUX_NUL": "organisme exonéré alors que le taux d'aide des exonérés est nul",
}


class ErreurMutualisation(Exception):
    """Toute erreur du calcul de la mutualisation ; le message est en français, pour l'utilisateur."""


class BaremeInvalide(ErreurMutualisation, ValueError):
    pass


class CalculImpossible(ErreurMutualisation):
    pass


class InvariantViole(ErreurMutualisation):
    pass


def sens_du_solde(solde: int | Decimal) -> str:
    return VERSEMENT if solde > 0 else APPEL_DE_FONDS if solde < 0 else NUL


# --- Entrées --------------------------------------------------------------------------------------

_TAUX = ("poids_cotisation_cglls", "poids_loyers", "poids_patrimoine", "taux_rehabilitation", "taux_aide_exoneres")
_MONTANTS = ("montant_zone_1", "montant_zone_2_3", "montant_restructuration", "frais_gestion")


@dataclass(frozen=True)
class Bareme:
    """Les paramètres d'une année ; taux et poids en fractions (Decimal("0.05") pour 5 %)."""

    annee: int
    montant_zone_1: Decimal
    montant_zone_2_3: Decimal
    taux_rehabilitation: Decimal
    montant_restructuration: Decimal
    plafond_restructuration: int
    poids_cotisation_cglls: Decimal
    poids_loyers: Decimal
    poids_patrimoine: Decimal
    frais_gestion: Decimal
    taux_aide_exoneres: Decimal

    def erreurs(self) -> list[str]:
        """Les défauts du barème en français, vide s'il est valable : pour un formulaire comme pour le calcul."""
        if mal_types := _erreurs_de_type(self):
            return mal_types
        erreurs = [f"« {f.name} » ne peut pas être négatif." for f in fields(self) if getattr(self, f.name) < 0]
        if self.poids_cotisation_cglls + self.poids_loyers + self.poids_patrimoine != 1:
            erreurs.append("Les poids cotisation CGLLS, loyers et patrimoine doivent totaliser 100 %.")
        erreurs += [f"« {nom} » ne peut pas dépasser 100 %." for nom in _TAUX if getattr(self, nom) > 1]
        return erreurs + [f"« {nom} » doit être au centime." for nom in _MONTANTS if not _au_centime(self, nom)]

    def verifier(self) -> None:
        if erreurs := self.erreurs():
            raise BaremeInvalide(f"Barème {self.annee} invalide : " + " ".join(erreurs))


def _erreurs_de_type(bareme: Bareme) -> list[str]:
    entiers = ("annee", "plafond_restructuration")
    return [
        f"« {f.name} » doit être un {'entier' if f.name in entiers else 'Decimal'}."
        for f in fields(bareme)
        if isinstance(getattr(bareme, f.name), bool)
        or not isinstance(getattr(bareme, f.name), int if f.name in entiers else Decimal)
    ]


def _au_centime(bareme: Bareme, nom: str) -> bool:
    valeur = getattr(bareme, nom)
    return valeur.is_finite() and valeur.quantize(Decimal("0.01")) == valeur


BAREME_2013 = Bareme(
    annee=2013,
    montant_zone_1=Decimal("3300.00"),
    montant_zone_2_3=Decimal("1300.00"),
    taux_rehabilitation=Decimal("0.05"),
    montant_restructuration=Decimal("600.00"),
    plafond_restructuration=5000,
    poids_cotisation_cglls=Decimal("0.25"),
    poids_loyers=Decimal("0.50"),
    poids_patrimoine=Decimal("0.25"),
    frais_gestion=Decimal("0.00"),
    taux_aide_exoneres=Decimal("1"),
)


@dataclass(frozen=True)
class OrganismeEntree:
    """Un organisme et sa base de l'année Y ; sans base pour Y, patrimoine 0 : il n'est pas concerné."""

    siren: str
    raison_sociale: str
    famille: str
    metropole: bool
    patrimoine_locatif: int = 0
    loyers: Decimal = Decimal("0.00")
    logements: int = 0
    cotisation_cglls: Decimal = Decimal("0.00")
    plan_cglls: str = "AUCUN"


@dataclass(frozen=True)
class PretEntree:
    numero_pret: str
    numero_operation: str | None
    siren: str
    produit: str
    date_signature: date
    montant: Decimal
    nb_logements: int
    zone: str | None


@dataclass(frozen=True)
class RestructurationEntree:
    siren: str
    annee: int
    reference: str
    nb_logements: int
    zone_detendue: bool


@dataclass(frozen=True)
class AjustementEntree:
    """Décision de la commission : montant signé ajouté à l'aide, jamais sans motif écrit."""

    siren: str
    montant: Decimal
    motif: str


@dataclass(frozen=True)
class PretsAgreges:
    """Les prêts retenus d'un organisme concerné réduits à ce que ses aides en utilisent : logements comptés par zone
    (après dédoublonnage par opération et famille) et somme des montants PAM et Éco-prêt de l'année.

    Produits par ``agreger_prets`` (avec le détail pour l'explication) ou agrégés en SQL (détail vide : la base
    l'écrit elle-même dans l'explication, mutualisation.chargement)."""

    siren: str
    logements_zone_1: int = 0
    logements_zone_2_3: int = 0
    base_rehabilitation: Decimal = Decimal("0.00")
    operations: tuple["OperationProduction", ...] = ()
    prets_rehabilitation: tuple[PretEntree, ...] = ()


# --- Sorties --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HorsChamp:
    """Un organisme, un prêt ou une déclaration que le calcul n'a pas retenu, avec la raison (code du motif)."""

    siren: str
    objet: OrganismeEntree | PretEntree | RestructurationEntree
    motif: str

    @property
    def libelle(self) -> str:
        return MOTIFS_HORS_CHAMP[self.motif]

    @property
    def cle(self) -> tuple[str, str, str]:
        objet = self.objet
        reference = getattr(objet, "numero_pret", None) or getattr(objet, "reference", "")
        return (self.siren, type(objet).__name__, reference)


@dataclass(frozen=True)
class OperationProduction:
    """Une opération comptée en production : logements = max PLUS + max PLAI (foncier et construction une fois)."""

    numero_operation: str | None
    zone: str
    prets: tuple[PretEntree, ...]
    logements_plus: int
    logements_plai: int
    montant_unitaire: Decimal
    aide: Decimal

    @property
    def logements(self) -> int:
        return self.logements_plus + self.logements_plai


@dataclass(frozen=True)
class Explication:
    """Le détail ligne à ligne d'un organisme ; les aides « avant taux » précèdent le taux des exonérés."""

    operations_production: tuple[OperationProduction, ...] = ()
    prets_rehabilitation: tuple[PretEntree, ...] = ()
    base_rehabilitation: Decimal = Decimal("0.00")
    restructurations: tuple[RestructurationEntree, ...] = ()
    logements_restructuration: int = 0
    ajustements: tuple[AjustementEntree, ...] = ()
    hors_champ: tuple[HorsChamp, ...] = ()
    aide_production_avant_taux: Decimal = Decimal("0.00")
    aide_rehabilitation_avant_taux: Decimal = Decimal("0.00")
    aide_restructuration_avant_taux: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class LigneResultat:
    """Une ligne de l'export (formats.md) : montants en Decimal à exactement deux décimales."""

    siren: str
    raison_sociale: str
    exonere: bool
    aide_production: Decimal
    aide_rehabilitation: Decimal
    aide_restructuration: Decimal
    ajustements: Decimal
    aide_totale: Decimal
    part_cotisation_cglls: Decimal
    part_loyers: Decimal
    part_patrimoine: Decimal
    contribution: Decimal
    solde: Decimal
    sens: str
    explication: Explication = field(default_factory=Explication, compare=False, repr=False)


@dataclass(frozen=True)
class ResultatCampagne:
    annee: int
    bareme: Bareme
    lignes: tuple[LigneResultat, ...]
    total_aides: Decimal
    total_a_couvrir: Decimal
    total_cotisation_cglls: Decimal
    total_loyers: Decimal
    total_patrimoine: Decimal
    total_contributions: Decimal
    total_soldes: Decimal
    logements_restructuration_national: int
    plafond_restructuration_atteint: bool
    hors_champ: tuple[HorsChamp, ...] = field(repr=False)

    @property
    def frais_gestion(self) -> Decimal:
        return self.bareme.frais_gestion


MONTANTS_LIGNE = tuple(f.name for f in fields(LigneResultat) if f.type in (Decimal, "Decimal"))
MONTANTS_TOTAUX = tuple(f.name for f in fields(ResultatCampagne) if f.type in (Decimal, "Decimal"))
