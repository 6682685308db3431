"""The one shape every benchmark reports in, printed as one table and written as CSV.

Interface contract (docs/performances.md): every ``bench/bench_*.py`` exposes ``mesures(rapide: bool = False)``
returning a list of dicts with the keys of ``COLONNES``; ``ligne()`` builds one and computes the ratio.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

COLONNES = ["banc", "mesure", "valeur", "unite", "ancre", "valeur_ancre", "ratio", "objectif", "atteint"]
ENTETES = ["banc", "mesure", "valeur", "unité", "ancre", "valeur de l'ancre", "ratio", "objectif", "atteint"]


def ligne(banc: str, mesure: str, valeur: float | None, unite: str, *, ancre: str = "",
          valeur_ancre: float | None = None, ratio: float | None = None, objectif: str = "",
          atteint: bool | None = None) -> dict:
    """One row; the ratio defaults to valeur / valeur_ancre when both are known."""
    if ratio is None and valeur is not None and valeur_ancre:
        ratio = valeur / valeur_ancre
    return {"banc": banc, "mesure": mesure, "valeur": valeur, "unite": unite, "ancre": ancre,
            "valeur_ancre": valeur_ancre, "ratio": ratio, "objectif": objectif, "atteint": atteint}


def nombre(valeur) -> str:
    """French-style figure for the printed table: thin grouping, decimal comma, 3 significant digits."""
    if valeur is None or valeur == "":
        return "—"
    if isinstance(valeur, str):
        return valeur
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if valeur == 0:
        return "0"
    if not math.isfinite(valeur):
        return str(valeur)
    decimales = max(0, 2 - math.floor(math.log10(abs(valeur))))
    return f"{valeur:,.{decimales}f}".replace(",", " ").replace(".", ",")


def oui_non(atteint: bool | None) -> str:
    return "" if atteint is None else ("oui" if atteint else "non")


def _cellules(rangee: dict) -> list[str]:
    ratio = rangee.get("ratio")
    return [str(rangee.get("banc", "")), str(rangee.get("mesure", "")), nombre(rangee.get("valeur")),
            str(rangee.get("unite", "")), str(rangee.get("ancre", "") or "—"), nombre(rangee.get("valeur_ancre")),
            "—" if ratio is None else f"×{nombre(ratio)}", str(rangee.get("objectif", "") or "—"),
            oui_non(rangee.get("atteint")) or "—"]


def afficher(rangees: list[dict], titre: str = "") -> str:
    """A Markdown table (what the README shows)."""
    lignes = [_cellules(r) for r in rangees]
    largeurs = [max(len(x) for x in colonne) for colonne in zip(ENTETES, *lignes, strict=False)]

    def rangee(valeurs):
        return "| " + " | ".join(v.ljust(n) for v, n in zip(valeurs, largeurs, strict=True)) + " |"

    separateur = "|" + "|".join("-" * (n + 2) for n in largeurs) + "|"
    corps = [rangee(ENTETES), separateur, *map(rangee, lignes)]
    return "\n".join(([f"### {titre}", ""] if titre else []) + corps)


def _brut(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, float):
        return f"{valeur:.6g}"
    return str(valeur)


def ecrire_csv(rangees: list[dict], chemin: Path) -> Path:
    """CSV with the contract's keys as header, plain numbers (dot decimals), atteint as oui/non/empty."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    with chemin.open("w", newline="", encoding="utf-8") as flux:
        ecrivain = csv.writer(flux)
        ecrivain.writerow(COLONNES)
        for r in rangees:
            ecrivain.writerow([oui_non(r.get("atteint")) if c == "atteint" else _brut(r.get(c)) for c in COLONNES])
    return chemin


def lire_csv(chemin: Path) -> list[dict]:
    with chemin.open(encoding="utf-8") as flux:
        return list(csv.DictReader(flux))
