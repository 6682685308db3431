"""The annual bilan of the mutualisation: figures of the validated run (``donnees_bilan``, plain data shared with the
web page), its charts as inline SVG (vector, no script) and the PDF. Every amount is a sum of stored result lines."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from mutualisation import selectors
from mutualisation.documents import rendu
from mutualisation.enums import Sens
from mutualisation.models import Calcul
from pacte.enums import FAMILLES_HLM
from pacte.formats import format_euros, format_nombre
from pacte.models import Region

GABARIT = "mutualisation/pdf/bilan.html"
VERSEMENT, APPEL, NUL = Q(sens=Sens.VERSEMENT), Q(sens=Sens.APPEL_DE_FONDS), Q(sens=Sens.NUL)
COMPOSANTES = (
    ("aide_production", "Production"),
    ("aide_rehabilitation", "Réhabilitation"),
    ("aide_restructuration", "Restructuration"),
    ("ajustements", "Ajustements de la commission"),
)
PARTS = (
    ("part_loyers", "Loyers et redevances", "poids_loyers"),
    ("part_cotisation_cglls", "Cotisation CGLLS", "poids_cotisation_cglls"),
    ("part_patrimoine", "Patrimoine (logements)", "poids_patrimoine"),
)


def _somme(champ: str, **filtre) -> Coalesce:
    return Coalesce(Sum(champ, **filtre), Value(Decimal("0.00")), output_field=DecimalField())


FLUX = {
    "nb_organismes": Count("pk"),
    "aides": _somme("aide_totale"),
    "contributions": _somme("contribution"),
    "soldes": _somme("solde"),
    "nb_versements": Count("pk", filter=VERSEMENT),
    "versements": _somme("solde", filter=VERSEMENT),
    "nb_appels": Count("pk", filter=APPEL),
    "appels_negatifs": _somme("solde", filter=APPEL),
    "nb_nuls": Count("pk", filter=NUL),
}
ZERO_FLUX = {nom: 0 if nom.startswith("nb_") else Decimal("0.00") for nom in FLUX}


def _flux(ligne: dict) -> dict:
    """One group's flows; the called amount as a positive sum, like the payments."""
    flux = {nom: ligne[nom] for nom in FLUX if nom != "appels_negatifs"}
    return {**flux, "appels": -ligne["appels_negatifs"]}


def flux_par_region(calcul: Calcul) -> list[dict]:
    """Every metropolitan region of the referential (22 on the pact's map), with zeros where no organism is concerned,
    then any other region that has results."""
    groupes = {ligne["organisme__region_id"]: ligne
               for ligne in calcul.resultats.values("organisme__region_id").annotate(**FLUX).order_by()}
    regions = Region.objects.filter(Q(metropole=True) | Q(code__in=groupes)).order_by("code")
    return [{"code": r.code, "libelle": r.nom, **_flux(groupes.get(r.code, ZERO_FLUX))}
            for r in regions]


def flux_par_famille(calcul: Calcul) -> list[dict]:
    groupes = {ligne["organisme__famille"]: ligne
               for ligne in calcul.resultats.values("organisme__famille").annotate(**FLUX).order_by()}
    return [{"code": f.value, "libelle": f.label, **_flux(groupes.get(f.value, ZERO_FLUX))}
            for f in FAMILLES_HLM]


def ajustements_du_calcul(calcul: Calcul) -> list[dict]:
    """The commission's adjustments as the run applied them (from the stored explanations), with their reasons."""
    lignes = (calcul.resultats.exclude(explication__ajustements=[]).order_by("organisme_id")
              .values_list("organisme_id", "organisme__raison_sociale", "explication__ajustements"))
    return [{"siren": siren, "raison_sociale": nom, "montant": Decimal(a["montant"]), "motif": a["motif"]}
            for siren, nom, ajustements in lignes for a in ajustements]


def donnees_bilan(calcul: Calcul) -> dict:
    """The bilan's figures as plain data (Decimal amounts, int counts, str labels), for the PDF and a web page."""
    synthese = selectors.synthese_du_calcul(calcul)
    bareme = {nom: Decimal(valeur) for nom, valeur in calcul.bareme.items() if nom != "annee"}
    total = synthese["contribution"]
    return {
        "annee": calcul.campagne.annee,
        "calcul": {"id": calcul.pk, "fin": calcul.fin, "empreinte_entrees": calcul.empreinte_entrees,
                   "version_code": calcul.version_code},
        "synthese": synthese,
        "frais_gestion": bareme["frais_gestion"],
        "total_a_couvrir": Decimal(calcul.totaux["total_a_couvrir"]),
        "nb_non_concernes": len(calcul.hors_champ),
        "composantes": [{"code": champ, "libelle": libelle, "montant": synthese[champ]}
                        for champ, libelle in COMPOSANTES],
        "parts": [{"code": champ, "libelle": libelle, "poids": bareme[poids], "montant": synthese[champ],
                   "part_du_total": synthese[champ] / total if total else Decimal(0)}
                  for champ, libelle, poids in PARTS],
        "regions": flux_par_region(calcul),
        "familles": flux_par_famille(calcul),
        "ajustements": ajustements_du_calcul(calcul),
        "controles": selectors.controles_du_calcul(calcul, synthese),
    }


# --- Charts (inline SVG, drawn by templates/mutualisation/pdf/_graphique_*.svg) -----------------------------------

LARGEUR, MARGE_LIBELLE, MARGE_VALEUR, HAUTEUR_LIGNE = 600, 170, 48, 16
COULEURS_PARTS = ("#000091", "#6a6af4", "#b1b1f9")


def format_millions(montant: Decimal) -> str:
    return f"{format_nombre(montant / 10**6, 1)}\u00a0M€"


def _x(valeur: Decimal) -> str:
    """An SVG coordinate (a dot, one decimal, whatever the locale)."""
    return f"{valeur:.1f}"


def graphique_flux(lignes: list[dict], titre: str) -> dict:
    """Diverging bars: calls for funds to the left of the axis, payments to the right, one row per group."""
    demi = Decimal(LARGEUR - MARGE_LIBELLE - 2 * MARGE_VALEUR) / 2
    axe = MARGE_LIBELLE + MARGE_VALEUR + demi
    echelle = max([max(ligne["versements"], ligne["appels"]) for ligne in lignes] + [Decimal(1)])
    barres = []
    for rang, ligne in enumerate(lignes):
        gauche, droite = demi * ligne["appels"] / echelle, demi * ligne["versements"] / echelle
        barres.append({"libelle": ligne["libelle"], "y": _x(Decimal(30 + rang * HAUTEUR_LIGNE)),
                       "y_texte": _x(Decimal(30 + rang * HAUTEUR_LIGNE + 10)),
                       "x_appels": _x(axe - gauche), "l_appels": _x(gauche), "l_versements": _x(droite),
                       "appels": format_millions(ligne["appels"]), "versements": format_millions(ligne["versements"]),
                       "x_texte_appels": _x(axe - gauche - 3), "x_texte_versements": _x(axe + droite + 3)})
    hauteur = 30 + len(lignes) * HAUTEUR_LIGNE + 6
    return {"titre": titre, "largeur": LARGEUR, "hauteur": hauteur, "axe": _x(axe), "barres": barres,
            "x_libelle": MARGE_LIBELLE - 6, "x_legende_appels": _x(axe - 6), "x_legende_versements": _x(axe + 6)}


def graphique_repartition(elements: list[dict], titre: str) -> dict:
    """One horizontal bar cut in proportion of each element's amount, with a legend line per element."""
    total = sum((element["montant"] for element in elements), Decimal(0)) or Decimal(1)
    x, segments = Decimal(0), []
    for rang, element in enumerate(elements):
        largeur = Decimal(LARGEUR) * element["montant"] / total
        segments.append({"x": _x(x), "largeur": _x(largeur), "couleur": COULEURS_PARTS[rang % len(COULEURS_PARTS)],
                         "y_legende": 48 + rang * HAUTEUR_LIGNE, "y_carre": 38 + rang * HAUTEUR_LIGNE,
                         "legende": f"{element['libelle']} : {format_euros(element['montant'])} "
                                    f"({format_nombre(100 * element['montant'] / total, 1)}\u00a0%)"})
        x += largeur
    return {"titre": titre, "largeur": LARGEUR, "hauteur": 44 + len(elements) * HAUTEUR_LIGNE, "segments": segments}


def graphiques_bilan(donnees: dict) -> dict:
    positives = [c for c in donnees["composantes"] if c["montant"] > 0]
    return {
        "composantes": graphique_repartition(positives, "Aides par composante"),
        "parts": graphique_repartition(donnees["parts"], "Répartition des contributions entre les trois parts"),
        "regions": graphique_flux(donnees["regions"], "Versements et appels de fonds par région"),
        "familles": graphique_flux(donnees["familles"], "Versements et appels de fonds par famille d'organismes"),
    }


def bilan_pdf(calcul: Calcul) -> bytes:
    donnees = donnees_bilan(calcul)
    titre = f"Bilan annuel de la mutualisation financière Hlm {donnees['annee']}"
    return rendu.pdf(GABARIT, {**donnees, "titre": titre, "graphiques": graphiques_bilan(donnees)})
