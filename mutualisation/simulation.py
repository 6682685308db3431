"""Comparison of a simulation run with the reference run (docs/simulation.md). Pure: plain lines in, plain results
out; ``lignes_du_calcul`` is the only database read, one query per run."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0.00")
MONTANTS = ("aide_totale", "contribution", "solde")
SANS_REGION = ("", "Sans région")


@dataclass(frozen=True)
class Ecart:
    """One amount in the reference run, in the simulation, and the difference (simulation − reference)."""

    reference: Decimal
    simulation: Decimal

    @property
    def delta(self) -> Decimal:
        return self.simulation - self.reference


@dataclass(frozen=True)
class LigneComparee:
    siren: str
    raison_sociale: str
    region_code: str
    region_nom: str
    exonere: bool
    aide_totale: Ecart
    contribution: Ecart
    solde: Ecart
    present_reference: bool = True
    present_simulation: bool = True

    @property
    def modifiee(self) -> bool:
        return any(getattr(self, nom).delta for nom in MONTANTS) or self.present_reference != self.present_simulation


@dataclass
class Agregat:
    """Sums of compared lines (a region, or all of them)."""

    code: str
    nom: str
    nb_organismes: int = 0
    nb_modifies: int = 0
    montants: dict[str, list[Decimal]] = field(default_factory=lambda: {nom: [ZERO, ZERO] for nom in MONTANTS})

    def ajouter(self, ligne: LigneComparee) -> None:
        self.nb_organismes += 1
        self.nb_modifies += ligne.modifiee
        for nom in MONTANTS:
            ecart = getattr(ligne, nom)
            self.montants[nom][0] += ecart.reference
            self.montants[nom][1] += ecart.simulation

    def ecart(self, nom: str) -> Ecart:
        return Ecart(*self.montants[nom])

    @property
    def aide_totale(self) -> Ecart:
        return self.ecart("aide_totale")

    @property
    def contribution(self) -> Ecart:
        return self.ecart("contribution")

    @property
    def solde(self) -> Ecart:
        return self.ecart("solde")


@dataclass(frozen=True)
class Comparaison:
    lignes: list[LigneComparee]
    regions: list[Agregat]
    total: Agregat

    @property
    def nb_modifies(self) -> int:
        return self.total.nb_modifies


def _montant(ligne: Mapping | None, nom: str) -> Decimal:
    return ligne[nom] if ligne is not None else ZERO


def comparer(reference: Iterable[Mapping], simulation: Iterable[Mapping]) -> Comparaison:
    """Per organism (outer join on the SIREN: an organism in one run only counts as zero in the other), per region
    of the head office (sorted by code), and in total. Lines are sorted by SIREN."""
    par_siren_ref = {ligne["siren"]: ligne for ligne in reference}
    par_siren_sim = {ligne["siren"]: ligne for ligne in simulation}
    lignes, regions, total = [], {}, Agregat("", "Total")
    for siren in sorted(par_siren_ref.keys() | par_siren_sim.keys()):
        ref, sim = par_siren_ref.get(siren), par_siren_sim.get(siren)
        source = sim or ref
        ligne = LigneComparee(
            siren=siren,
            raison_sociale=source["raison_sociale"],
            region_code=source.get("region_code") or SANS_REGION[0],
            region_nom=source.get("region_nom") or SANS_REGION[1],
            exonere=bool(source.get("exonere")),
            **{nom: Ecart(_montant(ref, nom), _montant(sim, nom)) for nom in MONTANTS},
            present_reference=ref is not None,
            present_simulation=sim is not None,
        )
        lignes.append(ligne)
        regions.setdefault(ligne.region_code, Agregat(ligne.region_code, ligne.region_nom)).ajouter(ligne)
        total.ajouter(ligne)
    return Comparaison(lignes, [regions[code] for code in sorted(regions)], total)


# Sort keys of the per-organism table: key → (function of a line, reverse by default for amounts).
TRIS = {
    "siren": lambda ligne: ligne.siren,
    "raison_sociale": lambda ligne: ligne.raison_sociale.lower(),
    "region": lambda ligne: (ligne.region_nom, ligne.siren),
    "aide_reference": lambda ligne: ligne.aide_totale.reference,
    "aide_simulation": lambda ligne: ligne.aide_totale.simulation,
    "delta_aide": lambda ligne: ligne.aide_totale.delta,
    "delta_contribution": lambda ligne: ligne.contribution.delta,
    "solde_reference": lambda ligne: ligne.solde.reference,
    "solde_simulation": lambda ligne: ligne.solde.simulation,
    "delta_solde": lambda ligne: ligne.solde.delta,
}


def trier(lignes: list[LigneComparee], cle: str) -> list[LigneComparee]:
    """``cle`` from TRIS, "-" in front for descending; unknown keys sort by SIREN. Ties keep SIREN order."""
    decroissant, nom = (True, cle[1:]) if cle.startswith("-") else (False, cle)
    return sorted(lignes, key=TRIS.get(nom, TRIS["siren"]), reverse=decroissant)


def barres_regions(comparaison: Comparaison, nom: str = "solde") -> list[dict]:
    """A diverging bar per region for the chart of deltas: width in % of the largest absolute delta."""
    maximum = max((abs(region.ecart(nom).delta) for region in comparaison.regions), default=ZERO)
    return [
        {"code": region.code, "nom": region.nom, "delta": region.ecart(nom).delta,
         "largeur": round(100 * abs(region.ecart(nom).delta) / maximum) if maximum else 0,
         "positif": region.ecart(nom).delta > 0}
        for region in comparaison.regions
    ]


def lignes_du_calcul(calcul) -> list[dict]:
    """A run's stored lines with what the comparison reads (one query)."""
    return [
        {"siren": siren, "raison_sociale": raison_sociale, "region_code": region_code or "", "region_nom": region_nom,
         "exonere": exonere, "aide_totale": aide, "contribution": contribution, "solde": solde}
        for siren, raison_sociale, region_code, region_nom, exonere, aide, contribution, solde in
        calcul.resultats.order_by().values_list(
            "organisme_id", "organisme__raison_sociale", "organisme__region_id", "organisme__region__nom",
            "exonere", "aide_totale", "contribution", "solde",
        )
    ]


# --- Reads of the simulation pages ----------------------------------------------------------------------------------


def variantes_de_l_annee(annee: int):
    from mutualisation.models import BaremeVariante

    return (BaremeVariante.objects.filter(campagne__annee=annee).select_related("auteur", "campagne")
            .prefetch_related("calculs"))


def simulation_de_l_annee(annee: int, pk: int):
    """A simulation run of the year, or None (a reference run is not a simulation: not reachable here)."""
    from mutualisation.models import Calcul

    return (Calcul.objects.filter(campagne__annee=annee, simulation=True, pk=pk)
            .select_related("campagne", "variante", "variante__auteur", "lance_par").first())


def calcul_de_reference(annee: int):
    """What a simulation is compared with: the year's validated run, else its latest finished run."""
    from mutualisation import selectors

    return selectors.calcul_valide(annee) or selectors.dernier_calcul(annee)
