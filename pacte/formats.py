"""French display of numbers, money and dates (fr-FR: « 1 234 567,89 € », « 31/12/2013 »)."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

ESPACE = "\u00a0"  # no-break space: thousands separator and before the € sign


def format_nombre(valeur, decimales: int = 0) -> str:
    if valeur is None or valeur == "":
        return "—"
    quantum = Decimal(1).scaleb(-decimales)
    nombre = Decimal(str(valeur)) if not isinstance(valeur, Decimal) else valeur
    texte = f"{abs(nombre.quantize(quantum, rounding=ROUND_HALF_UP)):,.{decimales}f}"
    texte = texte.replace(",", ESPACE).replace(".", ",")
    return f"-{texte}" if nombre.quantize(quantum, rounding=ROUND_HALF_UP) < 0 else texte


def format_euros(valeur, decimales: int = 2) -> str:
    texte = format_nombre(valeur, decimales)
    return texte if texte == "—" else f"{texte}{ESPACE}€"


def format_pourcentage(valeur, decimales: int = 0) -> str:
    """A fraction (0.05) shown as a percentage (« 5 % »)."""
    if valeur is None:
        return "—"
    return f"{format_nombre(Decimal(str(valeur)) * 100, decimales)}{ESPACE}%"


def format_date(valeur: date | datetime | None) -> str:
    if valeur is None:
        return "—"
    return valeur.strftime("%d/%m/%Y")
