import re

from django.core.exceptions import ValidationError


def siren_valide(siren: str) -> bool:
    """9 digits whose Luhn sum is a multiple of 10 (the INSEE check digit)."""
    if not isinstance(siren, str) or not re.fullmatch(r"\d{9}", siren):
        return False
    total = 0
    for position, chiffre in enumerate(reversed(siren)):
        valeur = int(chiffre) * (2 if position % 2 else 1)
        total += valeur - 9 if valeur > 9 else valeur
    return total % 10 == 0


def siren_completer(corps: str) -> str:
    """The 8 first digits of a SIREN completed with their Luhn check digit (demo data, tests, benches)."""
    total = 0
    for position, chiffre in enumerate(reversed(corps), start=1):
        valeur = int(chiffre) * (2 if position % 2 else 1)
        total += valeur - 9 if valeur > 9 else valeur
    return corps + str(-total % 10)


def valider_siren(valeur: str) -> None:
    if not siren_valide(valeur):
        raise ValidationError(
            "« %(valeur)s » n'est pas un SIREN valide (9 chiffres, clé de Luhn).", params={"valeur": valeur}
        )
