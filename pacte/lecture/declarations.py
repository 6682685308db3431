"""The import formats of docs formats.md, declared once for every importer (web, API, command line).

Checks that need the database (« siren must exist in organismes ») are added by the write layer with
`FORMAT.avec_regles(valeur_connue("siren", sirens_connus, "…"))`.
"""

from pacte.lecture.valeurs import (
    REGION_DU_DEPARTEMENT,
    Annee,
    Booleen,
    Choix,
    CodeCommune,
    Date,
    Entier,
    Montant,
    Siren,
    Texte,
    code_departement,
    code_region,
)
from pacte.lecture.validation import Colonne, Format, Regle

# Same codes as pacte.enums.Famille (a test keeps them equal); repeated here so reading needs no Django.
FAMILLES = ("OPH", "ESH", "COOP", "SACICAP", "SEM", "AGREE_L365", "ARHLM", "COLLECTIVITE", "ASSOCIATION", "AUTRE")
PLANS_CGLLS = ("AUCUN", "RETABLISSEMENT", "CONSOLIDATION", "REPRISE_PATRIMOINE")
PRODUITS_PRET = ("PLUS", "PLUS_FONCIER", "PLAI", "PLAI_FONCIER", "PLS", "PSLA", "PAM", "ECO_PRET", "AUTRE")
PRODUITS_ZONES = ("PLUS", "PLUS_FONCIER", "PLAI", "PLAI_FONCIER")  # the PLUS/PLAI family needs a zone
ZONES = ("1", "1bis", "2", "3")
PRODUITS_AGREMENT = ("PLUS", "PLAI", "PLS")
NATURES = ("NEUF", "VEFA", "ACQUISITION", "ACQUISITION_AMELIORATION")
ETIQUETTES = ("A", "B", "C", "D", "E", "F", "G")

SIREN = Colonne("siren", Siren())
ANNEE = Colonne("annee", Annee())
CODE_COMMUNE = Colonne("code_commune", CodeCommune(), vide=True)
CODE_REGION = Colonne("code_region", code_region())
CODE_DEPARTEMENT = Colonne("code_departement", code_departement())
NB_LOGEMENTS = Colonne("nb_logements", Entier())

ORGANISMES = Format(
    "organismes",
    (
        SIREN,
        Colonne("raison_sociale", Texte(255)),
        Colonne("famille", Choix(FAMILLES, "famille inconnue")),
        CODE_REGION,
        Colonne("metropole", Booleen()),
    ),
    cles=("siren",),
)

BASES = Format(
    "bases",
    (
        SIREN,
        ANNEE,
        Colonne("patrimoine_locatif", Entier()),
        Colonne("loyers", Montant()),
        Colonne("logements", Entier()),
        Colonne("cotisation_cglls", Montant()),
        Colonne("plan_cglls", Choix(PLANS_CGLLS, "plan CGLLS inconnu"), requis=False, defaut="AUCUN"),
    ),
    cles=("siren", "annee"),
)

ZONE_OBLIGATOIRE = Regle(
    "zone",
    "zone obligatoire pour un prêt PLUS ou PLAI : attendu 1, 1bis, 2 ou 3",
    lambda d: d["produit"].isin(PRODUITS_ZONES) & d["zone"].isna(),
)

PRETS = Format(
    "prets",
    (
        Colonne("numero_pret", Texte(50)),
        Colonne("numero_operation", Texte(50), vide=True),
        SIREN,
        Colonne("produit", Choix(PRODUITS_PRET, "produit inconnu")),
        Colonne("date_signature", Date()),
        Colonne("montant", Montant()),
        NB_LOGEMENTS,
        Colonne("zone", Choix(ZONES, "zone inconnue"), vide=True),
        CODE_COMMUNE,
    ),
    cles=("numero_pret",),
    regles=(ZONE_OBLIGATOIRE,),
)

RESTRUCTURATIONS = Format(
    "restructurations",
    (
        SIREN,
        ANNEE,
        NB_LOGEMENTS,
        Colonne("zone_detendue", Booleen()),
        CODE_COMMUNE,
        Colonne("reference", Texte(100)),
    ),
    cles=("siren", "annee", "reference"),
)

DEPARTEMENT_DE_LA_REGION = Regle(
    "code_departement",
    "département hors de la région indiquée",
    lambda d: d["code_region"].notna() & d["code_departement"].notna()
    & (d["code_departement"].map(REGION_DU_DEPARTEMENT) != d["code_region"]),
)

AGREMENTS = Format(
    "agrements",
    (
        ANNEE,
        Colonne("numero_operation", Texte(50)),
        CODE_REGION,
        CODE_DEPARTEMENT,
        CODE_COMMUNE,
        SIREN,
        Colonne("produit", Choix(PRODUITS_AGREMENT, "produit inconnu")),
        NB_LOGEMENTS,
        Colonne("nature", Choix(NATURES, "nature inconnue")),
        Colonne("anru", Booleen()),
    ),
    cles=("numero_operation", "produit"),
    regles=(DEPARTEMENT_DE_LA_REGION,),
)

REHABILITATIONS = Format(
    "rehabilitations",
    (
        ANNEE,
        Colonne("numero_operation", Texte(50)),
        CODE_REGION,
        CODE_DEPARTEMENT,
        CODE_COMMUNE,
        SIREN,
        NB_LOGEMENTS,
        Colonne("etiquette_avant", Choix(ETIQUETTES, "étiquette énergie inconnue")),
        Colonne("etiquette_apres", Choix(ETIQUETTES, "étiquette énergie inconnue")),
        Colonne("eco_pret", Booleen()),
    ),
    cles=("numero_operation",),
    regles=(DEPARTEMENT_DE_LA_REGION,),
)

OBJECTIFS = Format(
    "objectifs",
    (
        ANNEE,
        Colonne("code_region", code_region(national=True)),
        Colonne("objectif_production", Entier()),
        Colonne("objectif_rehabilitation", Entier()),
    ),
    cles=("annee", "code_region"),
)

FORMATS = {f.nom: f for f in (ORGANISMES, BASES, PRETS, RESTRUCTURATIONS, AGREMENTS, REHABILITATIONS, OBJECTIFS)}
