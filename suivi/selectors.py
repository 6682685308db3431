"""Figures of the follow-up dashboards: production and renovation against the targets (domain.md §4).

Every function is a plain read, aggregated in SQL with a fixed number of queries whatever the data size, and returns
plain values (dataclasses, dicts, lists) that the pages, the API, the exports and the annual report share:

- ``indicateurs_par_annee(Perimetre.national())[2014].production_secteur`` — the national total of a year;
- ``classement_regions(2014)`` — the 22 metropolitan regions ranked by achievement rate, with their flags;
- ``departements_de_la_region("11", 2014)``, ``organismes_du_perimetre(Perimetre.departement("75"), 2014)`` — the
  drill-down; ``etiquettes(perimetre, annee)`` — energy classes before / after works;
- ``mutualisation_par_region(2014)`` — the money of the latest mutualisation run, by region;
- ``sources(perimetre)`` — which imported files (name, date) the figures come from.

Definitions (docs/tableaux-de-bord.md): production counts the dwellings of the financing decisions (agréments)
outside ANRU operations, which are reported apart; the targets are the Hlm share, so the achievement rate is the
production of organismes Hlm (FAMILLES_HLM) over the target; a region is *loin de son objectif* below SEUIL_RETARD.
"""

import operator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.db import connection
from django.db.models import Exists, IntegerField, Max, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce

from mutualisation.models import Calcul, ImportFichier
from mutualisation.selectors import dernier_calcul, totaux_par_region
from pacte.enums import FAMILLES_HLM
from pacte.models import Departement, Organisme, Region
from suivi.enums import Etiquette, ProduitAgrement
from suivi.models import Agrement, Objectif, Rehabilitation

ANNEES = (2013, 2014, 2015)
PRODUITS = tuple(ProduitAgrement.values)  # PLUS, PLAI, PLS
SEUIL_RETARD = Decimal("0.80")  # below 80 % of its target, a region is flagged "loin de son objectif"
CLASSES_ENERGIVORES = ("E", "F", "G")
HLM = Q(organisme__famille__in=FAMILLES_HLM)
HORS_ANRU = Q(anru=False)


def taux(partie: int | None, total: int | None) -> Decimal | None:
    """partie / total as a fraction with 4 decimals (0.8765 = 87,65 %); None without a denominator."""
    if not total or partie is None:
        return None
    return (Decimal(partie) / Decimal(total)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# --- Perimeters ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Perimetre:
    """Where figures are read: metropolitan France, a region, a département or one maître d'ouvrage (SIREN)."""

    niveau: str
    code: str = ""

    @classmethod
    def national(cls):
        return cls("national")

    @classmethod
    def region(cls, code: str):
        return cls("region", code)

    @classmethod
    def departement(cls, code: str):
        return cls("departement", code)

    @classmethod
    def organisme(cls, siren: str):
        return cls("organisme", siren)

    @property
    def filtre(self) -> Q:
        """The filter of agréments and réhabilitations (both carry region, département and SIREN)."""
        return {
            "national": Q(region__metropole=True),
            "region": Q(region_id=self.code),
            "departement": Q(departement_id=self.code),
            "organisme": Q(siren=self.code),
        }[self.niveau]


# --- Indicators ------------------------------------------------------------------------------------------------------


@dataclass
class Indicateurs:
    """The indicators of one perimeter and year. Production is outside ANRU; ANRU is counted apart."""

    plus: int = 0
    plai: int = 0
    pls: int = 0
    plus_hlm: int = 0
    plai_hlm: int = 0
    pls_hlm: int = 0
    anru: int = 0
    anru_hlm: int = 0
    rehabilitations: int = 0
    rehabilitations_hlm: int = 0
    rehabilitations_eco_pret: int = 0
    objectif_production: int | None = None
    objectif_rehabilitation: int | None = None

    def valeurs(self) -> dict:
        """Every indicator, derived ones included, by name (the columns of the exports and the API)."""
        return {nom: getattr(self, nom) for nom in CHAMPS_INDICATEURS}

    @property
    def production_secteur(self) -> int:
        """Whole sector (every maître d'ouvrage), outside ANRU."""
        return self.plus + self.plai + self.pls

    @property
    def production_hlm(self) -> int:
        """Organismes Hlm only, outside ANRU: what the Hlm target is compared with."""
        return self.plus_hlm + self.plai_hlm + self.pls_hlm

    @property
    def part_hlm(self) -> Decimal | None:
        return taux(self.production_hlm, self.production_secteur)

    @property
    def taux_production(self) -> Decimal | None:
        return taux(self.production_hlm, self.objectif_production)

    @property
    def taux_rehabilitation(self) -> Decimal | None:
        return taux(self.rehabilitations_hlm, self.objectif_rehabilitation)

    @property
    def loin_de_l_objectif(self) -> bool:
        return self.taux_production is not None and self.taux_production < SEUIL_RETARD

    @property
    def rehabilitation_loin_de_l_objectif(self) -> bool:
        return self.taux_rehabilitation is not None and self.taux_rehabilitation < SEUIL_RETARD

    @property
    def vide(self) -> bool:
        return not (self.production_secteur or self.anru or self.rehabilitations)


CHAMPS_INDICATEURS = (
    "plus", "plai", "pls", "production_secteur", "plus_hlm", "plai_hlm", "pls_hlm", "production_hlm", "part_hlm",
    "anru", "anru_hlm", "objectif_production", "taux_production", "loin_de_l_objectif", "rehabilitations",
    "rehabilitations_hlm", "rehabilitations_eco_pret", "objectif_rehabilitation", "taux_rehabilitation",
)


def _somme(filtre: Q | None = None) -> Coalesce:
    return Coalesce(Sum("nb_logements", filter=filtre), Value(0), output_field=IntegerField())


SOMMES_AGREMENTS = {
    **{p.lower(): _somme(Q(produit=p) & HORS_ANRU) for p in PRODUITS},
    **{f"{p.lower()}_hlm": _somme(Q(produit=p) & HORS_ANRU & HLM) for p in PRODUITS},
    "anru": _somme(Q(anru=True)),
    "anru_hlm": _somme(Q(anru=True) & HLM),
}
SOMMES_REHABILITATIONS = {
    "rehabilitations": _somme(),
    "rehabilitations_hlm": _somme(HLM),
    "rehabilitations_eco_pret": _somme(Q(eco_pret=True)),
}


def _grouper(modele, filtre: Q, cles: tuple[str, ...], sommes: dict) -> dict:
    """One GROUP BY query: {key (one value, or a tuple for several keys): {sum name: value}}."""
    # Aliases are prefixed: "anru" as an alias would shadow the field the filters read (FILTER (WHERE anru)).
    lignes = modele.objects.filter(filtre).order_by().values(*cles).annotate(
        **{f"somme_{nom}": somme for nom, somme in sommes.items()})
    resultat = {}
    for ligne in lignes:
        cle = tuple(ligne[c] for c in cles)
        resultat[cle if len(cle) > 1 else cle[0]] = {nom: ligne[f"somme_{nom}"] for nom in sommes}
    return resultat


def _objectifs(perimetre: Perimetre, annees) -> dict[int, dict]:
    """Targets by year: a region's line; nationally the national line (code FR), else the sum of the regions'."""
    if perimetre.niveau not in ("national", "region"):
        return {}
    filtre = Q(region_id=perimetre.code) if perimetre.niveau == "region" else Q(region__isnull=True) | Q(
        region__metropole=True)
    objectifs: dict[int, dict] = {}
    nationaux = {}
    for o in Objectif.objects.filter(filtre, annee__in=annees).order_by():
        valeurs = {"objectif_production": o.objectif_production, "objectif_rehabilitation": o.objectif_rehabilitation}
        if perimetre.niveau == "national" and o.region_id is None:
            nationaux[o.annee] = valeurs
            continue
        cumul = objectifs.setdefault(o.annee, {"objectif_production": 0, "objectif_rehabilitation": 0})
        for cle, valeur in valeurs.items():
            cumul[cle] += valeur
    return objectifs | nationaux


def indicateurs_par_annee(perimetre: Perimetre, annees=ANNEES) -> dict[int, Indicateurs]:
    """The perimeter's indicators for each year of the pact (3 queries)."""
    filtre = perimetre.filtre & Q(annee__in=annees)
    agrements = _grouper(Agrement, filtre, ("annee",), SOMMES_AGREMENTS)
    rehabilitations = _grouper(Rehabilitation, filtre, ("annee",), SOMMES_REHABILITATIONS)
    objectifs = _objectifs(perimetre, annees)
    return {
        annee: Indicateurs(**agrements.get(annee, {}), **rehabilitations.get(annee, {}), **objectifs.get(annee, {}))
        for annee in annees
    }


def _indicateurs_par(cle: str, filtre: Q, objectifs: dict | None = None) -> dict[str, Indicateurs]:
    agrements = _grouper(Agrement, filtre, (cle,), SOMMES_AGREMENTS)
    rehabilitations = _grouper(Rehabilitation, filtre, (cle,), SOMMES_REHABILITATIONS)
    objectifs = objectifs or {}
    return {
        code: Indicateurs(**agrements.get(code, {}), **rehabilitations.get(code, {}), **objectifs.get(code, {}))
        for code in agrements.keys() | rehabilitations.keys() | objectifs.keys()
    }


def derniere_annee() -> int:
    """The latest year of the pact with financing decisions, else the pact's last year (1 query)."""
    return Agrement.objects.filter(annee__in=ANNEES).aggregate(annee=Max("annee"))["annee"] or ANNEES[-1]


def annee_par_defaut(par_annee: dict[int, Indicateurs]) -> int:
    """The latest year with figures, else the pact's last year."""
    return max((annee for annee, i in par_annee.items() if not i.vide), default=ANNEES[-1])


# --- The 22 regions, the départements, the organisms ----------------------------------------------------------------


@dataclass
class Ligne:
    """One row of a drill-down table: a region, a département or an organism, with its indicators."""

    code: str
    nom: str
    indicateurs: Indicateurs
    prioritaire: bool = False
    rang: int | None = None
    famille: str = ""
    hlm: bool = False
    part_du_parent: Decimal | None = None
    details: dict = field(default_factory=dict)


def _cle_de_classement(ligne: Ligne):
    """Best achievement rate first; regions without a target last, by name."""
    valeur = ligne.indicateurs.taux_production
    return (valeur is None, -(valeur or 0), ligne.nom)


def classement_regions(annee: int) -> list[Ligne]:
    """The metropolitan regions ranked by achievement rate of the production target (4 queries)."""
    objectifs = {
        o["region_id"]: {"objectif_production": o["objectif_production"],
                         "objectif_rehabilitation": o["objectif_rehabilitation"]}
        for o in Objectif.objects.filter(annee=annee, region__metropole=True).order_by().values(
            "region_id", "objectif_production", "objectif_rehabilitation")
    }
    par_region = _indicateurs_par("region_id", Q(annee=annee, region__metropole=True), objectifs)
    lignes = [
        Ligne(code=r.code, nom=r.nom, prioritaire=r.prioritaire, indicateurs=par_region.get(r.code, Indicateurs()))
        for r in Region.objects.filter(metropole=True)
    ]
    lignes.sort(key=_cle_de_classement)
    for rang, ligne in enumerate(lignes, start=1):
        ligne.rang = rang if ligne.indicateurs.taux_production is not None else None
    return lignes


def _parts(lignes: list[Ligne]) -> list[Ligne]:
    total = sum(ligne.indicateurs.production_secteur for ligne in lignes)
    for ligne in lignes:
        ligne.part_du_parent = taux(ligne.indicateurs.production_secteur, total)
    return lignes


def departements_de_la_region(code_region: str, annee: int) -> list[Ligne]:
    """The région's départements with their indicators (no target at this level) and their share (3 queries)."""
    par_departement = _indicateurs_par("departement_id", Q(annee=annee, region_id=code_region))
    return _parts([
        Ligne(code=d.code, nom=d.nom, indicateurs=par_departement.get(d.code, Indicateurs()))
        for d in Departement.objects.filter(region_id=code_region).order_by("code")
    ])


def organismes_du_perimetre(perimetre: Perimetre, annee: int) -> list[Ligne]:
    """The maîtres d'ouvrage of a perimeter and year, the largest producers first (2 queries).

    A SIREN unknown to the organism referential (a non-Hlm body) is listed under its SIREN and counts for the
    sector, never for the Hlm share.
    """
    filtre = perimetre.filtre & Q(annee=annee)
    cles = ("siren", "organisme__raison_sociale", "organisme__famille")
    agrements = _grouper(Agrement, filtre, cles, SOMMES_AGREMENTS)
    rehabilitations = _grouper(Rehabilitation, filtre, cles, SOMMES_REHABILITATIONS)
    lignes = []
    for siren, raison_sociale, famille in agrements.keys() | rehabilitations.keys():
        cle = (siren, raison_sociale, famille)
        indicateurs = Indicateurs(**agrements.get(cle, {}), **rehabilitations.get(cle, {}))
        lignes.append(Ligne(code=siren, nom=raison_sociale or f"SIREN {siren} (hors référentiel)",
                            famille=famille or "", hlm=famille in FAMILLES_HLM, indicateurs=indicateurs))
    lignes.sort(key=lambda ligne: (-ligne.indicateurs.production_secteur, -ligne.indicateurs.rehabilitations,
                                   ligne.code))
    return _parts(lignes)


def departements_de_l_organisme(siren: str, annee: int) -> list[Ligne]:
    """Where one maître d'ouvrage produced and renovated in a year (2 queries)."""
    cles = ("departement_id", "departement__nom")
    filtre = Q(siren=siren, annee=annee)
    agrements = _grouper(Agrement, filtre, cles, SOMMES_AGREMENTS)
    rehabilitations = _grouper(Rehabilitation, filtre, cles, SOMMES_REHABILITATIONS)
    return _parts(sorted(
        (Ligne(code=code, nom=nom, indicateurs=Indicateurs(**agrements.get((code, nom), {}),
                                                          **rehabilitations.get((code, nom), {})))
         for code, nom in agrements.keys() | rehabilitations.keys()),
        key=lambda ligne: ligne.code,
    ))


# --- Energy classes ---------------------------------------------------------------------------------------------------


def etiquettes(perimetre: Perimetre, annee: int) -> dict:
    """Renovated dwellings by energy class before and after works, and how many left classes E–G (1 query)."""
    lignes = _grouper(Rehabilitation, perimetre.filtre & Q(annee=annee), ("etiquette_avant", "etiquette_apres"),
                      {"logements": _somme()})
    avant = dict.fromkeys(Etiquette.values, 0)
    apres = dict.fromkeys(Etiquette.values, 0)
    sorties = 0
    for (classe_avant, classe_apres), ligne in lignes.items():
        avant[classe_avant] += ligne["logements"]
        apres[classe_apres] += ligne["logements"]
        if classe_avant in CLASSES_ENERGIVORES and classe_apres not in CLASSES_ENERGIVORES:
            sorties += ligne["logements"]
    total = sum(avant.values())
    return {
        "classes": [{"classe": c, "avant": avant[c], "apres": apres[c], "part_avant": taux(avant[c], total),
                     "part_apres": taux(apres[c], total)} for c in Etiquette.values],
        "total": total,
        "energivores_avant": sum(avant[c] for c in CLASSES_ENERGIVORES),
        "energivores_apres": sum(apres[c] for c in CLASSES_ENERGIVORES),
        "sortis_des_classes_energivores": sorties,
    }


# --- The mutualisation money ------------------------------------------------------------------------------------------


def mutualisation_par_region(annee: int, code_region: str = "") -> dict:
    """Aids, contributions and balances of the year's latest run, by head-office region of the organisms (2 queries)."""
    calcul = dernier_calcul(annee)
    if calcul is None:
        return {"calcul": None, "regions": [], "total": None}
    lignes = totaux_par_region(calcul)
    if code_region:
        lignes = lignes.filter(organisme__region_id=code_region)
    regions = [
        {"code": ligne["organisme__region_id"], "nom": ligne["organisme__region__nom"], "aides": ligne["aides"],
         "contributions": ligne["contributions"], "soldes": ligne["soldes"]}
        for ligne in lignes
    ]
    total = {cle: sum((r[cle] for r in regions), Decimal("0.00")) for cle in ("aides", "contributions", "soldes")}
    return {"calcul": calcul, "regions": regions, "total": total}


# --- Sources and vintage ----------------------------------------------------------------------------------------------


def sources(perimetre: Perimetre, annees=ANNEES) -> dict[str, list[ImportFichier]]:
    """The imported files the figures come from, by kind of data (1 query, on the small imports table)."""
    filtre = perimetre.filtre & Q(annee__in=annees)
    objectifs = Objectif.objects.filter(annee__in=annees)
    if perimetre.niveau == "region":
        objectifs = objectifs.filter(region_id=perimetre.code)
    utilisations = {"agrements": Agrement.objects.filter(filtre),
                    "rehabilitations": Rehabilitation.objects.filter(filtre)}
    if perimetre.niveau in ("national", "region"):  # no target below the region
        utilisations["objectifs"] = objectifs
    fichiers = (
        ImportFichier.objects.annotate(**{cle: Exists(qs.filter(import_source=OuterRef("pk")))
                                          for cle, qs in utilisations.items()})
        .filter(reduce(operator.or_, (Q(**{cle: True}) for cle in utilisations)))
        .order_by("created_at", "pk")
    )
    resultat = {"agrements": [], "rehabilitations": [], "objectifs": []}
    for fichier in fichiers:
        for cle in utilisations:
            if getattr(fichier, cle):
                resultat[cle].append(fichier)
    return resultat


def organisme_identite(siren: str) -> dict | None:
    """The organism of the referential, or a maître d'ouvrage known only by its SIREN in the extracts (≤ 3 queries)."""
    organisme = Organisme.objects.select_related("region").filter(siren=siren).first()
    if organisme is not None:
        return {"siren": siren, "nom": organisme.raison_sociale, "famille": organisme.get_famille_display(),
                "hlm": organisme.est_hlm, "region": organisme.region, "organisme": organisme}
    connu = Agrement.objects.filter(siren=siren).exists() or Rehabilitation.objects.filter(siren=siren).exists()
    if not connu:
        return None
    return {"siren": siren, "nom": f"SIREN {siren} (hors référentiel)", "famille": "", "hlm": False, "region": None,
            "organisme": None}



# --- Data version -----------------------------------------------------------------------------------------------------


def _sql_version() -> str:
    # Each max() reads one end of a primary-key or indexed column: the query costs the same whatever the volume.
    # Table names come from the models' metadata, never from input (hence the noqa S608 below).
    parties = [f"(SELECT max(id) FROM {m._meta.db_table})" for m in (Agrement, Rehabilitation, Objectif)]  # noqa: S608
    for modele in (ImportFichier, Calcul):
        table = modele._meta.db_table
        parties += [f"(SELECT max(id) FROM {table})", f"(SELECT max(updated_at) FROM {table})"]  # noqa: S608
    return f"SELECT {', '.join(parties)}"


SQL_VERSION = _sql_version()


def version_des_donnees() -> str:
    """A fingerprint of the dashboards' inputs, which every import and every mutualisation run changes (1 query).

    A new agrément, réhabilitation or target raises a max(id); an import (which also replaces or deletes lines) comes
    with its ImportFichier row, a run with its Calcul row. Edits made elsewhere (a deletion in the admin, the
    referentials) are not seen here: the pages' cache also expires (suivi.views.DUREE_CACHE).
    """
    with connection.cursor() as curseur:
        curseur.execute(SQL_VERSION)
        return "|".join(str(valeur) for valeur in curseur.fetchone())
