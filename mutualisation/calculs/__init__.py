"""Calcul de la mutualisation financière Hlm (domain.md §3, Annexe 1 du pacte) : fonctions pures, sans ORM.

Valeurs simples en entrée et en sortie (dataclasses figées, Decimal, int) ; montants en centimes entiers pendant
le calcul, Decimal à deux décimales en sortie ; Fraction pour les seuls partages (pacte.arrondis). Chaque règle
est écrite en prose dans docs/mutualisation.md avec le test qui la vérifie (tests/mutualisation/test_calculs.py).
"""

from .aides import operations_production
from .campagne import calculer_campagne, est_exonere, motif_non_concerne, totaux_parts
from .controles import empreinte_entrees, operations_incoherentes, verifier_invariants
from .donnees import (
    APPEL_DE_FONDS,
    BAREME_2013,
    FAMILLES_HLM,
    MONTANTS_LIGNE,
    MONTANTS_TOTAUX,
    MOTIFS_HORS_CHAMP,
    NUL,
    PLANS_CGLLS,
    PLANS_EXONERANTS,
    PRODUITS_AIDES,
    PRODUITS_PRODUCTION,
    PRODUITS_REHABILITATION,
    VERSEMENT,
    AjustementEntree,
    Bareme,
    BaremeInvalide,
    CalculImpossible,
    ErreurMutualisation,
    Explication,
    HorsChamp,
    InvariantViole,
    LigneResultat,
    OperationProduction,
    OrganismeEntree,
    PretEntree,
    RestructurationEntree,
    ResultatCampagne,
    sens_du_solde,
)

__all__ = [
    "APPEL_DE_FONDS",
    "BAREME_2013",
    "FAMILLES_HLM",
    "MONTANTS_LIGNE",
    "MONTANTS_TOTAUX",
    "MOTIFS_HORS_CHAMP",
    "NUL",
    "PLANS_CGLLS",
    "PLANS_EXONERANTS",
    "PRODUITS_AIDES",
    "PRODUITS_PRODUCTION",
    "PRODUITS_REHABILITATION",
    "VERSEMENT",
    "AjustementEntree",
    "Bareme",
    "BaremeInvalide",
    "CalculImpossible",
    "ErreurMutualisation",
    "Explication",
    "HorsChamp",
    "InvariantViole",
    "LigneResultat",
    "OperationProduction",
    "OrganismeEntree",
    "PretEntree",
    "RestructurationEntree",
    "ResultatCampagne",
    "calculer_campagne",
    "empreinte_entrees",
    "est_exonere",
    "motif_non_concerne",
    "operations_incoherentes",
    "operations_production",
    "sens_du_solde",
    "totaux_parts",
    "verifier_invariants",
]
