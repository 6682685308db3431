"""Arrondis et partages d'argent : le seul module du projet qui arrondit ou partage un montant.

Tout reste exact (Decimal, Fraction ou centimes entiers) ; un float est refusé, jamais converti.
Règles écrites en prose dans docs/mutualisation.md, vérifiées par tests/pacte/test_arrondis.py.
"""

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from math import floor, lcm

Nombre = int | Decimal | Fraction

_CENTIME = Decimal("0.01")


def _exact(valeur: Nombre) -> Fraction:
    if isinstance(valeur, bool) or not isinstance(valeur, int | Decimal | Fraction):
        raise TypeError(f"Valeur non exacte refusée ({type(valeur).__name__}) : utiliser Decimal, Fraction ou int.")
    if isinstance(valeur, Decimal) and not valeur.is_finite():
        raise ValueError(f"Valeur non finie refusée : {valeur}.")
    return Fraction(valeur)


def round_half_up(value: Nombre, places: int = 2) -> Decimal:
    """Arrondi au demi supérieur (ROUND_HALF_UP : 0,005 → 0,01 ; −0,005 → −0,01), calculé en rationnels exacts."""
    if places < 0:
        raise ValueError("Le nombre de décimales d'un arrondi doit être positif ou nul.")
    decale = _exact(value) * 10**places
    entier = floor(abs(decale) + Fraction(1, 2))
    signe = 1 if decale < 0 and entier else 0
    return Decimal((signe, tuple(int(c) for c in str(entier)), -places))


def cents(value: Decimal) -> int:
    """Un montant en euros (au plus deux décimales) en centimes entiers ; refuse d'arrondir en silence."""
    if type(value) is Decimal and value.same_quantum(_CENTIME):  # le cas courant : exactement deux décimales
        numerateur, denominateur = value.as_integer_ratio()  # exact, quelle que soit la taille (d divise 100)
        return numerateur * 100 // denominateur
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"Montant non exact refusé : {value!r} (Decimal attendu).")
    arrondi = value.quantize(_CENTIME)
    if arrondi != value:
        raise ValueError(f"Le montant {value} a plus de deux décimales : l'arrondir d'abord.")
    return int(arrondi.scaleb(2))


def euros(value: int) -> Decimal:
    """Des centimes entiers en euros, toujours avec exactement deux décimales (1234 → 12.34)."""
    if type(value) is not int and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"Centimes entiers attendus, reçu {value!r}.")
    return _CENTIME * value  # exposant −2 + 0 : toujours deux décimales (trois fois plus rapide que scaleb(-2))


def _demi_superieur(numerateur: int, denominateur: int) -> int:
    """numérateur / dénominateur (> 0) arrondi à l'entier, la moitié loin de zéro : ⌊|n|/d + 1/2⌋ avec son signe."""
    entier = (2 * abs(numerateur) + denominateur) // (2 * denominateur)
    return -entier if numerateur < 0 else entier


def arrondi_cents(value: Nombre) -> int:
    """Un montant exact en euros, arrondi au centime (demi supérieur), rendu en centimes entiers : le même résultat
    que ``cents(round_half_up(value, 2))``, en entiers."""
    exact = _exact(value)
    return _demi_superieur(exact.numerator * 100, exact.denominator)


def cents_fois_taux(centimes: int, taux: Nombre) -> int:
    """Des centimes entiers multipliés par un taux exact (Decimal, Fraction ou int), arrondis au centime (demi
    supérieur) : ``arrondi_cents(Fraction(centimes, 100) * Fraction(taux))``, sans construire de rationnels."""
    if type(centimes) is not int:
        raise TypeError(f"Centimes entiers attendus, reçu {centimes!r}.")
    if type(taux) is Decimal and taux.is_finite():
        numerateur, denominateur = taux.as_integer_ratio()
    else:
        exact = _exact(taux)
        numerateur, denominateur = exact.numerator, exact.denominator
    return _demi_superieur(centimes * numerateur, denominateur)


def partager_plus_fort_reste(total_cents: int, poids: Mapping[str, Nombre]) -> dict[str, int]:
    """Partage `total_cents` au prorata des poids, au centime, sans rien perdre ni créer.

    Part exacte = total × poids_i / Σ poids (rationnels exacts, ramenés à un dénominateur commun entier) ;
    chacun reçoit le plancher de sa part en centimes ; les centimes restants vont un par un aux plus forts
    restes, à égalité à la plus petite clé (SIREN, comparé comme chaîne). Indépendant de l'ordre du
    dictionnaire ; rendu trié par clé.
    """
    entiers = _poids_entiers(poids)
    somme = sum(entiers.values())
    if somme == 0:
        raise ValueError("Partage impossible : la somme des poids est nulle.")
    divisions = {cle: divmod(total_cents * w, somme) for cle, w in entiers.items()}
    parts = {cle: plancher for cle, (plancher, _reste) in divisions.items()}
    ordre = sorted(divisions, key=lambda cle: (-divisions[cle][1], str(cle)))
    for cle in ordre[: total_cents - sum(parts.values())]:
        parts[cle] += 1
    return dict(sorted(parts.items(), key=lambda item: str(item[0])))


def _poids_entiers(poids: Mapping[str, Nombre]) -> dict[str, int]:
    """Les poids multipliés par le plus petit dénominateur commun : des entiers aux mêmes proportions (des poids
    déjà entiers, centimes ou logements, tels quels)."""
    entiers = all(type(valeur) is int for valeur in poids.values())
    exacts = dict(poids) if entiers else {cle: _exact(valeur) for cle, valeur in poids.items()}
    negatifs = sorted(str(cle) for cle, valeur in exacts.items() if valeur < 0)
    if negatifs:
        raise ValueError(f"Partage impossible : poids négatif pour {', '.join(negatifs)}.")
    if entiers:
        return exacts
    commun = lcm(*(valeur.denominator for valeur in exacts.values()))
    return {cle: valeur.numerator * (commun // valeur.denominator) for cle, valeur in exacts.items()}
