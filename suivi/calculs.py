"""Pure arithmetic of the suivi: no ORM, plain values in and out.

The Éco-prêt logement social rate the pact promises (§1): « le taux du livret A diminué de 75 points de base, avec un
plancher minimum de 1 %, pour les prêts d'une durée de 15 ans ». Rates are fractions (0.0175 for 1,75 %); the livret A
table is a list of (date from which the rate applies, rate), e.g.

    table = [(date(2013, 2, 1), Decimal("0.0175")), (date(2013, 8, 1), Decimal("0.0125"))]
    taux_eco_pret(date(2013, 5, 17), table)   # Decimal("0.0100"): 1,75 % − 0,75 point
    taux_eco_pret(date(2013, 9, 1), table)    # Decimal("0.0100"): 0,50 % raised to the 1 % floor
"""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ABATTEMENT_ECO_PRET = Decimal("0.0075")  # 75 points de base
PLANCHER_ECO_PRET = Decimal("0.0100")  # 1 %

TableTaux = Iterable[tuple[date, Decimal]]


def taux_livret_a(jour: date, table: TableTaux) -> Decimal:
    """The livret A rate in force on `jour`: the latest one whose effective date is on or before it."""
    lignes = sorted(table)
    position = bisect_right([debut for debut, _ in lignes], jour)
    if position == 0:
        premier = f" (le premier taux connu date du {lignes[0][0]:%d/%m/%Y})" if lignes else ""
        raise ValueError(f"Aucun taux du livret A connu au {jour:%d/%m/%Y}{premier}.")
    return Decimal(lignes[position - 1][1])


def eco_pret_depuis_livret_a(livret_a: Decimal) -> Decimal:
    """Livret A − 0,75 point, never below 1 %; four decimals, like the livret A rate."""
    return max(Decimal(livret_a) - ABATTEMENT_ECO_PRET, PLANCHER_ECO_PRET).quantize(Decimal("0.0001"))


def taux_eco_pret(jour: date, table: TableTaux) -> Decimal:
    """The Éco-prêt logement social rate (15-year loans) in force on `jour`, from the livret A rate table."""
    return eco_pret_depuis_livret_a(taux_livret_a(jour, table))


@dataclass(frozen=True)
class PeriodeTaux:
    """One period of the rate table: from `debut` (included) to `fin` (excluded; None for the current one)."""

    debut: date
    fin: date | None
    livret_a: Decimal
    eco_pret: Decimal

    @property
    def plancher(self) -> bool:
        """The 1 % floor applies: livret A − 0,75 point would be lower."""
        return self.livret_a - ABATTEMENT_ECO_PRET < PLANCHER_ECO_PRET


def periodes_eco_pret(table: TableTaux) -> list[PeriodeTaux]:
    """The table as periods with both rates, oldest first: what the commitments page shows."""
    lignes = sorted(table)
    fins = [debut for debut, _ in lignes[1:]] + [None]
    return [PeriodeTaux(debut, fin, Decimal(taux), eco_pret_depuis_livret_a(taux))
            for (debut, taux), fin in zip(lignes, fins, strict=True)]
