"""Vector charts of the annual report, drawn as SVG strings from plain values (no ORM, no plotting library).

Each chart carries a ``<title>`` for assistive technologies; the report prints the same figures in a table beside it.
Kept light for the PDF renderer: the bars of one colour are one ``<path>``, and the font is set once on the ``<svg>``
(each SVG element costs WeasyPrint a style computation and a drawing call).
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from pacte.formats import format_nombre

BLEU = "#000091"
BLEU_CLAIR = "#6a6af4"
ORANGE = "#b34000"
GRIS = "#929292"
GRIS_CLAIR = "#e5e5e5"
TEXTE = "#161616"
POLICE = 'font-family="Marianne, sans-serif"'
COULEURS_PRODUITS = ("#000091", "#6a6af4", "#c9c9ee")
COULEURS_ETIQUETTES = {"A": "#009c6d", "B": "#52b153", "C": "#a5cc47", "D": "#f4e70f", "E": "#f0b40f",
                       "F": "#eb8235", "G": "#d7221f"}


@dataclass(frozen=True)
class _Forme:
    """A rectangle (``trait`` 0: filled) or a line (stroked ``trait`` wide), one sub-path of its group's ``<path>``."""

    chemin: str
    couleur: str
    trait: float = 0


def _svg(largeur: int, hauteur: int, titre: str, contenu: list) -> str:
    """The chart: the shapes of one colour (and width) as one ``<path>``, groups painted in the order of their first
    shape, then the texts on top."""
    groupes: dict[tuple[str, float], list[str]] = {}
    for element in contenu:
        if isinstance(element, _Forme):
            groupes.setdefault((element.couleur, element.trait), []).append(element.chemin)
    formes = [
        f'<path fill="{couleur}" d="{" ".join(chemins)}"/>' if not trait else
        f'<path fill="none" stroke="{couleur}" stroke-width="{trait:g}" d="{" ".join(chemins)}"/>'
        for (couleur, trait), chemins in groupes.items()
    ]
    textes = [element for element in contenu if not isinstance(element, _Forme)]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {largeur} {hauteur}" width="{largeur}" '
            f'height="{hauteur}" role="img" aria-label={quoteattr(titre)} {POLICE} fill="{TEXTE}">'
            f"<title>{escape(titre)}</title>" + "".join(formes) + "".join(textes) + "</svg>")


def _texte(x, y, texte: str, *, taille: int = 11, ancre: str = "start", gras: bool = False, couleur=TEXTE) -> str:
    attributs = (f' text-anchor="{ancre}"' if ancre != "start" else "") + (' font-weight="700"' if gras else "") + (
        f' fill="{couleur}"' if couleur != TEXTE else "")
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{taille}"{attributs}>{escape(texte)}</text>'


def _rect(x, y, largeur, hauteur, couleur: str) -> _Forme:
    largeur = max(largeur, 0)
    return _Forme(f"M{x:.1f} {y:.1f}h{largeur:.1f}v{hauteur:.1f}h{-largeur:.1f}z", couleur)


def _ligne(x1, y1, x2, y2, couleur: str, epaisseur: float = 1) -> _Forme:
    return _Forme(f"M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}", couleur, epaisseur)


def _echelle(maximum: int) -> int:
    """A round upper bound for an axis (1, 2 or 5 × a power of ten)."""
    if maximum <= 0:
        return 1
    puissance = 10 ** (len(str(int(maximum))) - 1)
    for facteur in (1, 2, 5, 10):
        if maximum <= facteur * puissance:
            return facteur * puissance
    return 10 * puissance


def barres_regions(regions: list[dict], titre: str) -> str:
    """Dwellings financed per region (Hlm share darker), with each region's Hlm target as an orange tick."""
    gauche, droite, haut, pas = 190, 60, 30, 20
    largeur = 680
    zone = largeur - gauche - droite
    maximum = _echelle(max([r["logements"] for r in regions] + [r["objectif"] or 0 for r in regions] + [0]))
    contenu = []  # bars first: all dwellings (light), then the Hlm share (dark) over them, then the targets
    for rang, region in enumerate(regions):
        y = haut + rang * pas
        nom = ("★ " if region["prioritaire"] else "") + region["nom"]
        contenu.append(_texte(gauche - 6, y + 12, nom, taille=10, ancre="end", gras=region["prioritaire"]))
        total = zone * region["logements"] / maximum
        hlm = zone * region["hlm"] / maximum
        contenu += [_rect(gauche, y + 2, total, 13, BLEU_CLAIR), _rect(gauche, y + 2, hlm, 13, BLEU)]
        contenu.append(_texte(gauche + total + 4, y + 12, format_nombre(region["logements"]), taille=9))
        if region["objectif"]:
            x = gauche + zone * region["objectif"] / maximum
            contenu.append(_ligne(x, y, x, y + 17, ORANGE, 3))
    contenu += [
        _rect(gauche, 6, 10, 10, BLEU), _texte(gauche + 14, 15, "Organismes Hlm", taille=10),
        _rect(gauche + 120, 6, 10, 10, BLEU_CLAIR), _texte(gauche + 134, 15, "Autres maîtres d'ouvrage", taille=10),
        _ligne(gauche + 290, 5, gauche + 290, 17, ORANGE, 3), _texte(gauche + 297, 15, "Objectif Hlm", taille=10),
    ]
    bas = haut + len(regions) * pas
    contenu.append(_ligne(gauche, haut - 2, gauche, bas, GRIS))
    for graduation in range(5):
        x = gauche + zone * graduation / 4
        contenu.append(_texte(x, bas + 14, format_nombre(maximum * graduation // 4), taille=9, ancre="middle",
                              couleur="#3a3a3a"))
    return _svg(largeur, bas + 22, titre, contenu)


def colonnes_annees(evolution: list[dict], titre: str) -> str:
    """Per year: all dwellings financed, the Hlm share and the Hlm target, side by side."""
    largeur, hauteur, gauche, bas = 680, 230, 60, 190
    maximum = _echelle(max([max(a["total"], a["objectif_hlm"]) for a in evolution] + [0]))
    series = (("total", "Tous maîtres d'ouvrage", BLEU_CLAIR), ("hlm", "Organismes Hlm", BLEU),
              ("objectif_hlm", "Objectif Hlm", ORANGE))
    contenu = []  # the grid first, under the bars
    for graduation in range(5):
        y = bas - (bas - 30) * graduation / 4
        contenu.append(_ligne(gauche, y, largeur - 10, y, GRIS_CLAIR))
        contenu.append(_texte(gauche - 6, y + 4, format_nombre(maximum * graduation // 4), taille=9, ancre="end"))
    for rang, (_, libelle, couleur) in enumerate(series):
        contenu += [_rect(gauche + rang * 170, 4, 10, 10, couleur), _texte(gauche + rang * 170 + 14, 13, libelle,
                                                                          taille=10)]
    groupe = (largeur - gauche - 10) / max(len(evolution), 1)
    for rang, annee in enumerate(evolution):
        x0 = gauche + rang * groupe + groupe * 0.15
        for position, (cle, _, couleur) in enumerate(series):
            hauteur_barre = (bas - 30) * annee[cle] / maximum
            x = x0 + position * groupe * 0.24
            contenu.append(_rect(x, bas - hauteur_barre, groupe * 0.22, hauteur_barre, couleur))
            contenu.append(_texte(x + groupe * 0.11, bas - hauteur_barre - 3, format_nombre(annee[cle]), taille=8,
                                  ancre="middle"))
        contenu.append(_texte(x0 + groupe * 0.35, bas + 16, str(annee["annee"]), taille=11, ancre="middle", gras=True))
    return _svg(largeur, hauteur, titre, contenu)


def barre_produits(produits: list[dict], titre: str) -> str:
    """The year's distribution by product, as one 100 % stacked bar."""
    largeur, x = 680, 0.0
    total = sum(p["logements"] for p in produits)
    contenu = []
    for produit, couleur in zip(produits, COULEURS_PRODUITS, strict=False):
        part = largeur * produit["logements"] / total if total else 0
        contenu.append(_rect(x, 0, part, 34, couleur))
        if part > 60:
            texte_couleur = "#ffffff" if couleur != COULEURS_PRODUITS[2] else TEXTE
            contenu.append(_texte(x + part / 2, 22, f"{produit['produit']} {format_nombre(produit['logements'])}",
                                  taille=11, ancre="middle", gras=True, couleur=texte_couleur))
        x += part
    return _svg(largeur, 34, titre, contenu)


def etiquettes_energie(etiquettes: list[dict], titre: str) -> str:
    """Renovated dwellings by energy class, before and after works."""
    largeur, hauteur, gauche, bas = 680, 200, 60, 165
    maximum = _echelle(max([max(e["avant"], e["apres"]) for e in etiquettes] + [0]))
    contenu = [_rect(gauche, 4, 10, 10, GRIS), _texte(gauche + 14, 13, "Avant travaux", taille=10),
               _rect(gauche + 130, 4, 10, 10, BLEU), _texte(gauche + 144, 13, "Après travaux", taille=10)]
    groupe = (largeur - gauche - 10) / len(etiquettes)
    for rang, etiquette in enumerate(etiquettes):
        x0 = gauche + rang * groupe + groupe * 0.15
        for position, (cle, couleur) in enumerate((("avant", GRIS), ("apres", BLEU))):
            hauteur_barre = (bas - 30) * etiquette[cle] / maximum
            contenu.append(_rect(x0 + position * groupe * 0.36, bas - hauteur_barre, groupe * 0.33, hauteur_barre,
                                 couleur))
        contenu.append(_rect(x0 + groupe * 0.2, bas + 4, groupe * 0.3, 14,
                             COULEURS_ETIQUETTES.get(etiquette["etiquette"], GRIS)))
        contenu.append(_texte(x0 + groupe * 0.35, bas + 15, etiquette["etiquette"], taille=10, ancre="middle",
                              gras=True))
    for graduation in range(5):
        y = bas - (bas - 30) * graduation / 4
        contenu.append(_texte(gauche - 6, y + 4, format_nombre(maximum * graduation // 4), taille=9, ancre="end"))
    return _svg(largeur, hauteur, titre, contenu)
