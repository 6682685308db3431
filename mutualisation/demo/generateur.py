"""Le tirage du jeu de démonstration : organismes, bases, prêts CDC et restructurations d'une graine.

Tous les tirages passent par un seul random.Random(seed) dans un ordre fixe, sur des entiers (centimes, logements,
poids) : la même graine redonne le même jeu.
"""

import random
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from itertools import accumulate

from mutualisation.calculs import BAREME_2013

from .jeu import (
    ACTIVITES,
    AVEC_BASES,
    EFFECTIFS_HLM,
    EFFECTIFS_NON_HLM,
    EFFECTIFS_OUTRE_MER,
    PATRIMOINE_HLM,
    BaseDemo,
    Calibrage,
    JeuDemo,
    OrganismeDemo,
    PretDemo,
    RestructurationDemo,
    bareme_de,
    calibrer,
)
from .referentiel import (
    ARTICLES,
    FORMES_ARTICLE,
    MODELES_NOMS,
    PREFIXES_SIREN,
    REGIONS,
    ZONES_IDF,
    communes,
    de,
    departements,
    siren_avec_cle,
)


def generer_jeu(seed: int, annees=(2013, 2014, 2015)) -> JeuDemo:
    annees = tuple(sorted(annees))
    if inconnues := [a for a in (annees[0] - 1, *annees) if a not in ACTIVITES]:
        raise ValueError(f"Pas d'activité de démonstration pour {inconnues} (années {sorted(ACTIVITES)}).")
    return Generateur(seed).jeu(annees)


_POIDS_MOIS = (5, 6, 7, 7, 8, 9, 7, 4, 8, 9, 11, 19)  # les signatures CDC se pressent en décembre
_TAILLES_OPERATION = ((30, 1, 8), (35, 9, 25), (25, 26, 60), (10, 61, 150))  # (% , min, max) logements
_MONTANTS_REHABILITATION = ((45, 3_000_000, 30_000_000), (40, 30_000_000, 150_000_000),
                            (15, 150_000_000, 500_000_000))  # centimes : 30 k€ à 5 M€
_TAILLES_RESTRUCTURATION = ((40, 4, 15), (40, 16, 40), (20, 41, 120))
_COUT_CONSTRUCTION = {"1bis": (11_000_000, 15_000_000), "1": (9_000_000, 12_500_000), "2": (7_000_000, 9_500_000),
                      "3": (5_500_000, 8_000_000)}  # centimes de prêt par logement
_COUT_FONCIER = {"1bis": (2_500_000, 6_000_000), "1": (1_500_000, 3_500_000), "2": (600_000, 1_800_000),
                 "3": (200_000, 900_000)}
_LOYERS = {"11": (500_000, 600_000), "93": (430_000, 520_000), "82": (430_000, 520_000)}  # centimes/logement/an
_DENSITE = {"11": 16}  # taille médiane relative des bailleurs (÷ 10)
_REGIONS_DETENDUES = {"21", "22", "26", "31", "41", "43", "74", "83", "23", "24", "25"}


def _plus_grand(region: str) -> int:
    """Taille maximale d'un bailleur selon le poids de la région : les très grands sont franciliens ou lyonnais."""
    poids = REGIONS[region][1]
    return 130_000 if region == "11" else 50_000 if poids >= 9 else 25_000 if poids >= 4 else 15_000


class Generateur:
    """Un tirage : organismes et leurs bases, puis, année par année, production, réhabilitation calibrée,
    hors-champ et restructurations."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 — données de démonstration reproductibles, pas un secret
        self.sirens: set[str] = set()
        self.noms: set[str] = set()
        self.dernier_pret = 5_000_000 + self.rng.randrange(1_000_000)
        self.operations: dict[int, int] = defaultdict(int)
        self.oph_paris: OrganismeDemo | None = None
        self.annee, self.debut, self.prets = 0, (1, 1), []  # l'année en cours de tirage, voir _annee

    def jeu(self, annees: tuple[int, ...]) -> JeuDemo:
        jeu = JeuDemo(annees, self._organismes())
        self._bases(jeu.organismes, annees)
        for annee in (annees[0] - 1, *annees):
            self._annee(jeu, annee, annee in annees)
        return jeu

    # Tirages ------------------------------------------------------------------------------------

    def pct(self, pourcentage: int) -> bool:
        return self.rng.randrange(100) < pourcentage

    def dans(self, tranches) -> int:
        tirage = self.rng.randrange(100)
        for poids, bas, haut in tranches:
            if tirage < poids:
                return self.rng.randint(bas, haut)
            tirage -= poids
        raise AssertionError("les tranches doivent totaliser 100 %")

    def jusqua(self, total: int, tranches, minimum: int):
        """Tirages successifs dans `tranches` qui totalisent exactement `total` : le dernier prend le reste."""
        while total > 0:
            valeur = self.dans(tranches)
            valeur = total if total - valeur < minimum else valeur
            total -= valeur
            yield valeur

    def tireur(self, organismes, poids):
        """Tire un organisme au prorata de poids entiers (sans float : mêmes tirages partout)."""
        elus = [(o, p) for o, p in zip(organismes, poids, strict=True) if p > 0]
        population, cumul = [o for o, _ in elus], list(accumulate(p for _, p in elus))
        return lambda: self.rng.choices(population, cum_weights=cumul)[0]

    def date(self, annee: int, debut=(1, 1)) -> date:
        mois = self.rng.choices(range(debut[0], 13), weights=_POIDS_MOIS[debut[0] - 1:])[0]
        premier = date(annee, mois, 1)
        jours = ((premier + timedelta(days=31)).replace(day=1) - premier).days
        jour = premier + timedelta(days=self.rng.randrange(jours))
        if jour.weekday() >= 5:  # pas de signature le week-end : le vendredi, ou le lundi en début de mois
            jour -= timedelta(days=jour.weekday() - 4)
            jour += timedelta(days=3) if jour < premier else timedelta()
        return jour

    # Organismes ---------------------------------------------------------------------------------

    def _organismes(self) -> list[OrganismeDemo]:
        metropole = [c for c in REGIONS if REGIONS[c][1]]
        outre_mer = [c for c in REGIONS if not REGIONS[c][1]]
        organismes = self._oph_departementaux()  # un par département, les autres municipaux ou intercommunaux
        effectifs = {**EFFECTIFS_HLM, "OPH": EFFECTIFS_HLM["OPH"] - len(organismes), **EFFECTIFS_NON_HLM}
        for famille, nombre in effectifs.items():
            # une association régionale, une SACICAP par région au plus ; les autres sièges suivent le poids régional
            regions = self.rng.sample(metropole, nombre) if famille in ("ARHLM", "SACICAP") else [
                self._region(metropole) for _ in range(nombre)]
            organismes += [self._organisme(famille, region) for region in regions]
        for famille, nombre in EFFECTIFS_OUTRE_MER.items():
            organismes += [self._organisme(famille, self.rng.choice(outre_mer)) for _ in range(nombre)]
        self._tailles(organismes)
        return sorted(organismes, key=lambda o: (o.raison_sociale.casefold(), o.siren))

    def _region(self, codes) -> str:
        return self.rng.choices(codes, weights=[REGIONS[c][1] for c in codes])[0]

    def _oph_departementaux(self) -> list[OrganismeDemo]:
        organismes = []
        for code, (nom, region) in departements().items():
            if code in ARTICLES:
                forme = f"{FORMES_ARTICLE[ARTICLES[code]]}{nom}"
                modele = self.rng.choice(("Office public de l'habitat {de}", "{nom} Habitat", "OPH {de}"))
                organismes.append(self._organisme("OPH", region, modele.format(de=forme, nom=nom)))
                self.oph_paris = organismes[-1] if code == "75" else self.oph_paris
        return organismes

    def _organisme(self, famille: str, region: str, nom: str | None = None) -> OrganismeDemo:
        nom = nom or self._nom(famille, region)
        self.noms.add(nom)
        prefixe = PREFIXES_SIREN.get(famille, str(self.rng.randint(3, 6)))
        while True:
            corps = prefixe + "".join(str(self.rng.randrange(10)) for _ in range(8 - len(prefixe)))
            siren = siren_avec_cle(corps)
            if siren not in self.sirens:
                self.sirens.add(siren)
                metropole = bool(REGIONS[region][1])
                return OrganismeDemo(siren, nom, famille, region, metropole, avec_bases=famille in AVEC_BASES)

    def _nom(self, famille: str, region: str) -> str:
        de_region, _, _, gentiles = REGIONS[region]
        for _ in range(500):
            ville = self.rng.choice(communes()[region]).nom
            nom = self.rng.choice(MODELES_NOMS[famille]).format(
                ville=ville, de_ville=de(ville), adj=self.rng.choice(gentiles.split()), de_region=de_region)
            if nom not in self.noms:
                return nom
        raise ValueError(f"Plus de nom libre pour un organisme {famille} en région {region}.")

    def _tailles(self, organismes: list[OrganismeDemo]) -> None:
        """Patrimoine au 1er janvier 2013 : lognormal par famille, plus gros en Île-de-France (28 % du parc Hlm),
        les très grands bailleurs dans les grandes régions ; ramené aux totaux nationaux ; 8 Hlm sans parc."""
        medianes = {"OPH": (4000, 0.8), "ESH": (3500, 1.1), "COOP": (150, 1.3), "SEM": (1500, 1.0),
                    "AGREE_L365": (120, 1.0), "SACICAP": (300, 0.5)}
        for organisme in organismes:
            mediane, sigma = medianes.get(organisme.famille, (0, 0))
            mediane = mediane * _DENSITE.get(organisme.code_region, 10) // 10
            taille = round(mediane * self.rng.lognormvariate(0, sigma)) if mediane else 0
            organisme.taille = min(_plus_grand(organisme.code_region), max(20, taille)) if taille else 0
        self.oph_paris.taille = 100_000  # environ 120 000 une fois les OPH ramenés au total national
        metro = [o for o in organismes if o.hlm and o.metropole]
        for o in self.rng.sample([o for o in metro if o.famille == "SACICAP"], 4) + self.rng.sample(
                [o for o in metro if o.famille == "COOP"], 4):
            o.taille = 0
        for famille, total in PATRIMOINE_HLM.items():
            groupe = [o for o in metro if o.famille == famille and o.taille]
            somme = sum(o.taille for o in groupe)
            for o in groupe:
                o.taille = max(20, o.taille * total // somme)

    # Bases --------------------------------------------------------------------------------------

    def _bases(self, organismes: list[OrganismeDemo], annees: tuple[int, ...]) -> None:
        plans = self._plans(organismes)
        nouvelle = next(o for o in organismes if o.famille == "COOP" and o.metropole and not o.taille)
        for organisme in (o for o in organismes if o.avec_bases):
            organisme.loyer = self.rng.randint(*_LOYERS.get(organisme.code_region, (380_000, 480_000)))
            organisme.foyers, organisme.cotisation = self.rng.randint(0, 60), self.rng.randint(90, 170)
            patrimoine = organisme.taille
            for annee in range(2013, annees[-1] + 1):
                if annee > 2013:
                    patrimoine = patrimoine * (1000 + self.rng.randint(-5, 25)) // 1000
                    patrimoine = patrimoine or (40 * (annee - 2013) if organisme is nouvelle else 0)
                if annee in annees:
                    plan = plans.get(organisme.siren, {}).get(annee, "AUCUN")
                    organisme.bases[annee] = self._base(organisme, annee, patrimoine, plan)

    def _base(self, organisme: OrganismeDemo, annee: int, patrimoine: int, plan: str) -> BaseDemo:
        """Loyer moyen et taux de cotisation propres à l'organisme, indexés d'environ 1,5 % l'an."""
        indexation = (1000 + 15 * (annee - 2013)) * (1000 + self.rng.randint(-3, 3))
        foyers = patrimoine * organisme.foyers // 1000
        loyers = (patrimoine * organisme.loyer + foyers * 300_000) * indexation // 1_000_000
        cotisation = loyers * (organisme.cotisation + self.rng.randint(-5, 5)) // 10_000
        return BaseDemo(organisme.siren, annee, patrimoine, loyers, patrimoine + foyers, cotisation, plan)

    def _plans(self, organismes) -> dict[str, dict[int, str]]:
        """Plans CGLLS : quatre exonérés par an (deux rétablissements, dont l'un sort en 2015 quand une troisième
        consolidation commence) et des reprises de patrimoine, qui n'exonèrent pas (une en 2013, deux ensuite)."""
        moyens = [o for o in organismes if o.metropole and o.famille in ("OPH", "ESH") and 1500 <= o.taille <= 15000]
        oph, esh = [o for o in moyens if o.famille == "OPH"], [o for o in moyens if o.famille == "ESH"]
        r1, r2, c1 = self.rng.sample(oph, 3)
        c2, c3, p1, p2 = self.rng.sample(esh, 4)
        plans = {r1: "RETABLISSEMENT", r2: "RETABLISSEMENT", c1: "CONSOLIDATION", c2: "CONSOLIDATION",
                 p1: "REPRISE_PATRIMOINE", p2: "REPRISE_PATRIMOINE"}
        resultat = {o.siren: dict.fromkeys(range(2013, 2016), plan) for o, plan in plans.items()}
        resultat[r2.siren][2015] = "AUCUN"  # sorti de son plan de rétablissement
        resultat[c3.siren] = {2015: "CONSOLIDATION"}  # entré en consolidation
        resultat[p2.siren][2013] = "AUCUN"
        return resultat

    # Une année d'activité -----------------------------------------------------------------------

    def _annee(self, jeu: JeuDemo, annee: int, avec_declarations: bool) -> None:
        activite = ACTIVITES[annee]
        self.annee, self.debut, self.prets = annee, activite.debut, jeu.prets
        base = annee if annee in jeu.annees else jeu.annees[0]
        concernes = [o for o in jeu.organismes if o.concerne(base)]
        zones = self._production(concernes, activite.logements_production, base)
        rehabilitation = activite.rehabilitation
        if activite.cible_aides is not None:
            bareme = BAREME_2013 if annee == 2013 else bareme_de(annee)
            rehabilitation = calibrer(activite.cible_aides, bareme, logements_zone_1=zones[0],
                                      logements_zone_2_3=zones[1],
                                      logements_restructuration=activite.logements_restructuration)
        self._rehabilitation(concernes, rehabilitation, base)
        self._hors_champ(jeu.organismes, concernes, activite.echelle, base)
        if avec_declarations:
            self._restructurations(jeu, concernes, activite.logements_restructuration)
        jeu.calibrages[annee] = Calibrage(annee, *zones, activite.logements_restructuration, rehabilitation,
                                          activite.cible_aides)

    def _poids(self, organismes, base: int, actifs: dict[str, int], bonus: dict[str, int] | None = None):
        bonus = bonus or {}
        return [o.bases[base].patrimoine_locatif * bonus.get(o.famille, 1) * self.rng.randint(30, 170)
                if self.pct(actifs.get(o.famille, 0)) else 0 for o in organismes]

    def _production(self, concernes, logements: int, base: int) -> tuple[int, int]:
        tirer = self.tireur(concernes, self._poids(concernes, base, {"OPH": 80, "ESH": 85, "COOP": 25, "SACICAP": 20}))
        zone_1 = zone_2_3 = 0
        for taille in self.jusqua(logements, _TAILLES_OPERATION, 1):
            if self._operation(tirer(), taille) in ("1", "1bis"):
                zone_1 += taille
            else:
                zone_2_3 += taille
        return zone_1, zone_2_3

    def _rehabilitation(self, organismes, montant: int, base: int) -> None:
        tirer = self.tireur(organismes, self._poids(organismes, base, {"OPH": 90, "ESH": 85, "COOP": 15}))
        for tranche in self.jusqua(montant, _MONTANTS_REHABILITATION, 3_000_000):
            self._operation_rehabilitation(tirer(), tranche)

    def _hors_champ(self, organismes, concernes, echelle: int, base: int) -> None:
        """PLS, PSLA, « autres » prêts ; PLUS/PLAI des SEM, de l'outre-mer et des Hlm sans parc ; PAM des SEM."""
        def volume(n):
            return n * echelle // 100

        tirer = self.tireur(concernes, self._poids(concernes, base, {"OPH": 50, "ESH": 90}, {"ESH": 2}))
        for taille in self.jusqua(volume(20_000), _TAILLES_OPERATION, 1):
            self._operation(tirer(), taille, produits=("PLS",))
        accedants = [o for o in organismes if o.hlm and o.metropole and o.famille != "OPH"]
        tirer = self.tireur(accedants, [{"COOP": 5, "SACICAP": 3}.get(o.famille, 1) for o in accedants])
        for taille in self.jusqua(volume(4_500), ((70, 3, 15), (30, 16, 40)), 1):
            self._operation(tirer(), taille, produits=("PSLA",))
        non_hlm = [o for o in organismes if o.famille in ("SEM", "AGREE_L365", "COLLECTIVITE")]
        tirer = self.tireur(non_hlm, [{"SEM": 6, "AGREE_L365": 2}.get(o.famille, 1) for o in non_hlm])
        for taille in self.jusqua(volume(6_500), _TAILLES_OPERATION, 1):
            self._operation(tirer(), taille)
        outre_mer = [o for o in organismes if o.hlm and not o.metropole]
        tirer = self.tireur(outre_mer, [1] * len(outre_mer))
        for taille in self.jusqua(volume(1_200), _TAILLES_OPERATION, 1):
            self._operation(tirer(), taille)
        sans_parc = [o for o in organismes if o.hlm and o.metropole and o.bases.get(base) and not o.concerne(base)]
        for organisme in self.rng.sample(sans_parc, 2):
            self._operation(organisme, self.rng.randint(8, 30))
        emprunteurs = [o for o in organismes if o.bases.get(base) or o.famille == "COLLECTIVITE"]
        tirer = self.tireur(emprunteurs, [5 if o.hlm else 1 for o in emprunteurs])
        for _ in range(volume(450)):
            self._pret_autre(tirer())
        sem = [o for o in organismes if o.famille == "SEM" or (o.hlm and not o.metropole)]
        for _ in range(volume(90)):
            self._operation_rehabilitation(self.rng.choice(sem), self.dans(_MONTANTS_REHABILITATION))

    # Prêts --------------------------------------------------------------------------------------

    def _pret(self, operation, organisme, produit, jour, montant, nb, zone="", commune="") -> None:
        self.dernier_pret += self.rng.randint(1, 9)
        self.prets.append(PretDemo(str(self.dernier_pret), operation, organisme.siren, produit, jour, montant, nb,
                                   zone, commune))

    def _zone(self, region: str) -> str:
        if region == "11":
            return self.rng.choices([z for z, _ in ZONES_IDF], weights=[p for _, p in ZONES_IDF])[0]
        return "2" if self.pct(REGIONS[region][2]) else "3"

    def _commune(self, region: str, zone: str) -> str:
        candidates = [c.insee for c in communes()[region] if c.zone == zone]
        return self.rng.choice(candidates) if candidates and not self.pct(12) else ""

    def _numero_operation(self, organisme, commune: str) -> str:
        self.operations[self.annee] += 1
        departement = commune[:3] if commune.startswith("97") else commune[:2]
        departement = departement or next(c for c, (_, r) in departements().items() if r == organisme.code_region)
        return f"{self.annee}-{departement}-{self.operations[self.annee]:05d}"

    def _cout(self, bornes: tuple[int, int], pourcentage: int = 100) -> int:
        return self.rng.randint(*bornes) * pourcentage // 100

    def _operation(self, organisme, logements: int, produits=("PLUS", "PLAI")) -> str:
        """Une opération : construction PLUS et/ou PLAI, foncier sur 40 %, un PLS parfois ; la zone tirée."""
        zone = self._zone(organisme.code_region)
        commune = self._commune(organisme.code_region, zone)
        jour = self.date(self.annee, self.debut)
        construction = produits == ("PLUS", "PLAI")
        repartition = self._repartition(logements) if construction else {produits[0]: logements}
        foncier = construction and self.pct(40)
        numero = "" if not foncier and self.pct(12) else self._numero_operation(organisme, commune)
        zone_pret = "" if produits == ("PSLA",) else zone
        for produit, nb in repartition.items():
            cout = self._cout(_COUT_CONSTRUCTION[zone], {"PLUS": 100, "PLAI": 90, "PLS": 110, "PSLA": 140}[produit])
            self._pret(numero, organisme, produit, jour, nb * cout, nb, zone_pret, commune)
            if foncier:
                nb_foncier = nb if self.pct(80) else self.rng.randint((nb + 1) // 2, nb)
                veille = max(jour - timedelta(days=self.rng.choice((0, 0, 0, 7, 21, 45))),
                             date(self.annee, *self.debut))
                self._pret(numero, organisme, f"{produit}_FONCIER", veille,
                           nb_foncier * self._cout(_COUT_FONCIER[zone]), nb_foncier, zone, commune)
        if numero and construction and self.pct(10):
            nb = max(1, logements * self.rng.randint(10, 40) // 100)
            self._pret(numero, organisme, "PLS", jour, nb * self._cout(_COUT_CONSTRUCTION[zone], 110), nb, zone,
                       commune)
        return zone

    def _repartition(self, logements: int) -> dict[str, int]:
        """Opération mixte PLUS + PLAI (55 %), PLUS seul (30 %), PLAI seul (15 %)."""
        tirage = self.rng.randrange(100)
        if tirage < 55 and logements >= 4:
            plai = max(1, logements * self.rng.randint(20, 45) // 100)
            return {"PLUS": logements - plai, "PLAI": plai}
        return {"PLUS": logements} if tirage < 85 else {"PLAI": logements}

    def _operation_rehabilitation(self, organisme, montant: int) -> None:
        """Éco-prêt seul (40 %), PAM seul (40 %) ou les deux sur les mêmes logements."""
        zone = "" if self.pct(30) else self._zone(organisme.code_region)
        commune = self._commune(organisme.code_region, zone or "2")
        jour = self.date(self.annee, self.debut)
        numero = "" if self.pct(10) else self._numero_operation(organisme, commune)
        tirage = self.rng.randrange(100)
        if tirage < 40:  # Éco-prêt seul : 9 à 16 k€ par logement (plafond 2013)
            eco, unitaire = montant, self.rng.randint(900_000, 1_600_000)
        elif tirage < 80:
            eco, unitaire = 0, self.rng.randint(800_000, 3_000_000)
        else:
            eco, unitaire = montant * self.rng.randint(35, 65) // 100, self.rng.randint(2_000_000, 4_500_000)
        nb = max(1, montant // unitaire)
        for produit, part in (("ECO_PRET", eco), ("PAM", montant - eco)):
            if part:
                self._pret(numero, organisme, produit, jour, part, nb, zone, commune)

    def _pret_autre(self, organisme) -> None:
        """Prêts hors barème (PRU, PHARE, amiante…) : produit AUTRE, souvent sans logement ni opération."""
        numero = self._numero_operation(organisme, "") if self.pct(50) else ""
        nb = 0 if self.pct(60) else self.rng.randint(1, 80)
        montant = self.rng.randint(2_000_000, 300_000_000)
        self._pret(numero, organisme, "AUTRE", self.date(self.annee, self.debut), montant, nb)

    # Restructurations ---------------------------------------------------------------------------

    def _restructurations(self, jeu: JeuDemo, concernes, logements: int) -> None:
        poids = [o.bases[self.annee].patrimoine_locatif * (3 if o.code_region in _REGIONS_DETENDUES else 1)
                 for o in concernes]
        tirer = self.tireur(concernes, poids)
        for nb in self.jusqua(logements, _TAILLES_RESTRUCTURATION, 1):
            self._declaration(jeu, tirer(), nb, True)
        for _ in range(logements // 60):
            self._declaration(jeu, tirer(), self.dans(_TAILLES_RESTRUCTURATION), False)
        ailleurs = [o for o in jeu.organismes if o.famille == "SEM" or (o.hlm and not o.metropole)]
        for organisme in self.rng.sample(ailleurs, 10):
            self._declaration(jeu, organisme, self.dans(_TAILLES_RESTRUCTURATION), True)
        declarations = jeu.restructurations[self.annee]
        self.rng.shuffle(declarations)  # les déclarations arrivent dans le désordre ; référence = rang d'arrivée
        declarations[:] = [replace(d, reference=f"{d.reference}-{self.annee}-{rang:04d}")
                           for rang, d in enumerate(declarations, start=1)]

    def _declaration(self, jeu: JeuDemo, organisme, nb: int, detendue: bool) -> None:
        nature = "DEM" if self.pct(60) else "RL"  # démolition ou restructuration lourde
        commune = self._commune(organisme.code_region, "3" if detendue else "2")
        jeu.restructurations[self.annee].append(
            RestructurationDemo(organisme.siren, self.annee, nb, detendue, commune, nature))

