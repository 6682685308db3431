"""Les aides d'une campagne (domain.md §3, « Aids ») : production, réhabilitation, restructuration, ajustements.

Montants en centimes entiers ; les taux appliqués exactement, en entiers (pacte.arrondis.cents_fois_taux).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from pacte.arrondis import cents, cents_fois_taux, euros, partager_plus_fort_reste

from .donnees import (
    PRODUITS_AIDES,
    PRODUITS_PLAI,
    PRODUITS_PLUS,
    PRODUITS_PRODUCTION,
    ZONES_1,
    ZONES_2_3,
    Bareme,
    CalculImpossible,
    Explication,
    HorsChamp,
    OperationProduction,
    PretEntree,
    PretsAgreges,
    RestructurationEntree,
)


@dataclass(frozen=True)
class Contexte:
    """Ce que toutes les étapes partagent : l'année, le barème, le motif d'exclusion de chaque organisme connu
    (None s'il est concerné) et les SIREN exonérés."""

    annee: int
    bareme: Bareme
    motifs: dict[str, str | None]
    exoneres: frozenset[str]

    def motif_organisme(self, siren: str) -> str | None:
        return self.motifs.get(siren, "ORGANISME_INCONNU")


@dataclass(frozen=True)
class Aides:
    production: int
    rehabilitation: int
    restructuration: int
    ajustements: int
    explication: Explication

    @property
    def totale(self) -> int:
        return self.production + self.rehabilitation + self.restructuration + self.ajustements


# --- Prêts ----------------------------------------------------------------------------------------


def trier_prets(contexte: Contexte, prets) -> tuple[defaultdict, defaultdict, list[HorsChamp]]:
    """Prêts retenus en production et en réhabilitation (par SIREN) ; les autres, hors champ avec leur motif."""
    production, rehabilitation, hors_champ = defaultdict(list), defaultdict(list), []
    for pret in prets:
        if motif := _motif_pret(contexte, pret):
            hors_champ.append(HorsChamp(pret.siren, pret, motif))
        elif pret.produit in PRODUITS_PRODUCTION:
            production[pret.siren].append(pret)
        else:
            rehabilitation[pret.siren].append(pret)
    _refuser_zones_invalides(production)
    return production, rehabilitation, hors_champ


def _motif_pret(contexte: Contexte, pret: PretEntree) -> str | None:
    """Premier motif qui écarte le prêt : l'année, puis l'organisme, puis le produit ; None s'il est retenu."""
    if pret.date_signature.year != contexte.annee:
        return "AUTRE_ANNEE"
    motif = contexte.motif_organisme(pret.siren)
    return motif or (None if pret.produit in PRODUITS_AIDES else "PRODUIT_NON_ELIGIBLE")


def _refuser_zones_invalides(production) -> None:
    zones = ZONES_1 | ZONES_2_3
    fautifs = sorted(p.numero_pret for prets in production.values() for p in prets if p.zone not in zones)
    if fautifs:
        raise CalculImpossible(f"Prêts PLUS/PLAI sans zone valable (1, 1bis, 2, 3) : {', '.join(fautifs)}.")


def agreger_prets(contexte: Contexte, prets) -> tuple[dict[str, PretsAgreges], list[HorsChamp]]:
    """Les prêts retenus de chaque organisme concerné réduits à ses agrégats (détail gardé pour l'explication) ;
    les autres prêts, hors champ. Mêmes agrégats que le SQL de mutualisation.chargement."""
    production, rehabilitation, hors_champ = trier_prets(contexte, prets)
    agregats = {}
    for siren in production.keys() | rehabilitation.keys():
        operations = operations_production(production[siren], contexte.bareme)
        agregats[siren] = PretsAgreges(
            siren,
            logements_zone_1=sum(o.logements for o in operations if o.zone in ZONES_1),
            logements_zone_2_3=sum(o.logements for o in operations if o.zone in ZONES_2_3),
            base_rehabilitation=euros(sum(cents(p.montant) for p in rehabilitation[siren])),
            operations=operations,
            prets_rehabilitation=tuple(sorted(rehabilitation[siren], key=lambda p: p.numero_pret)),
        )
    return agregats, hors_champ


def operations_production(prets, bareme: Bareme) -> tuple[OperationProduction, ...]:
    """Regroupe des prêts PLUS/PLAI retenus par opération ; un prêt sans numéro d'opération est la sienne."""
    groupes = defaultdict(list)
    for pret in prets:
        groupes[pret.numero_operation or (None, pret.numero_pret)].append(pret)
    operations = [_operation(sorted(g, key=lambda p: p.numero_pret), bareme) for g in groupes.values()]
    return tuple(sorted(operations, key=lambda o: (o.numero_operation or "", o.prets[0].numero_pret)))


def _operation(prets: list[PretEntree], bareme: Bareme) -> OperationProduction:
    """Logements comptés une fois par famille : max(PLUS, PLUS_FONCIER) + max(PLAI, PLAI_FONCIER)."""
    zone = prets[0].zone
    plus = max((p.nb_logements for p in prets if p.produit in PRODUITS_PLUS), default=0)
    plai = max((p.nb_logements for p in prets if p.produit in PRODUITS_PLAI), default=0)
    unitaire = bareme.montant_zone_1 if zone in ZONES_1 else bareme.montant_zone_2_3
    aide = euros((plus + plai) * cents(unitaire))
    return OperationProduction(prets[0].numero_operation or None, zone, tuple(prets), plus, plai, unitaire, aide)


# --- Restructuration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restructuration:
    aides: dict[str, int]
    retenues: dict[str, list[RestructurationEntree]]
    hors_champ: list[HorsChamp]
    national: int
    plafond_atteint: bool


def restructuration(contexte: Contexte, declarations) -> Restructuration:
    retenues, hors_champ = defaultdict(list), []
    for declaration in declarations:
        if motif := _motif_restructuration(contexte, declaration):
            hors_champ.append(HorsChamp(declaration.siren, declaration, motif))
        else:
            retenues[declaration.siren].append(declaration)
    logements = {siren: sum(d.nb_logements for d in decl) for siren, decl in retenues.items()}
    national = sum(logements.values())
    aides, atteint = _aides_restructuration(contexte.bareme, logements, national)
    return Restructuration(aides, retenues, hors_champ, national, atteint)


def _motif_restructuration(contexte: Contexte, declaration: RestructurationEntree) -> str | None:
    if declaration.annee != contexte.annee:
        return "AUTRE_ANNEE"
    if motif := contexte.motif_organisme(declaration.siren):
        return motif
    if not declaration.zone_detendue:
        return "ZONE_NON_DETENDUE"
    if declaration.siren in contexte.exoneres and contexte.bareme.taux_aide_exoneres == 0:
        return "EXONERE_TAUX_NUL"
    return None


def _aides_restructuration(bareme: Bareme, logements: dict[str, int], national: int):
    """n × montant tant que le total national N ≤ plafond ; au-delà, l'enveloppe plafond × montant est
    partagée au prorata de n au plus fort reste (avant le taux des exonérés)."""
    unitaire = cents(bareme.montant_restructuration)
    if national <= bareme.plafond_restructuration:
        return {siren: n * unitaire for siren, n in logements.items()}, False
    return partager_plus_fort_reste(bareme.plafond_restructuration * unitaire, logements), True


# --- Aides d'un organisme -------------------------------------------------------------------------


def aides_organisme(contexte: Contexte, siren: str, prets: PretsAgreges | None, restructurations, ajustements):
    """Les quatre aides d'un organisme concerné, en centimes, avec leur explication ligne à ligne.

    Production = logements en zone 1/1bis × montant_zone_1 + logements en zone 2/3 × montant_zone_2_3 : en centimes
    entiers, c'est exactement la somme des aides de ses opérations."""
    bareme = contexte.bareme
    prets = prets or PretsAgreges(siren)
    aide_production = (prets.logements_zone_1 * cents(bareme.montant_zone_1)
                       + prets.logements_zone_2_3 * cents(bareme.montant_zone_2_3))
    base = cents(prets.base_rehabilitation)
    aide_rehabilitation = cents_fois_taux(base, bareme.taux_rehabilitation)
    retenues = restructurations.retenues.get(siren)  # most organisms declare none: nothing to sort
    retenues = sorted(retenues, key=lambda d: d.reference) if retenues else ()
    aide_restructuration = restructurations.aides.get(siren, 0)
    explication = Explication(
        operations_production=prets.operations,
        prets_rehabilitation=prets.prets_rehabilitation,
        base_rehabilitation=euros(base),
        restructurations=tuple(retenues),
        logements_restructuration=sum(d.nb_logements for d in retenues),
        ajustements=tuple(ajustements),
        aide_production_avant_taux=euros(aide_production),
        aide_rehabilitation_avant_taux=euros(aide_rehabilitation),
        aide_restructuration_avant_taux=euros(aide_restructuration),
    )
    taux = bareme.taux_aide_exoneres if siren in contexte.exoneres else None
    items = (_appliquer_taux(a, taux) for a in (aide_production, aide_rehabilitation, aide_restructuration))
    return Aides(*items, sum(cents(a.montant) for a in ajustements), explication)


def _appliquer_taux(montant_cents: int, taux: Decimal | None) -> int:
    """Un exonéré reçoit chacune des aides 1 à 3 × taux_aide_exoneres, arrondie au centime (demi supérieur)."""
    if taux is None:
        return montant_cents
    return cents_fois_taux(montant_cents, taux)
