"""Pages of the mutualisation: thin adapters over mutualisation.selectors and mutualisation.services.

Split by subject: the campaigns (campagne.py), the results and an organism's notice (resultats.py), the imports
(imports.py). urls.py, views_cycle.py and views_simulation.py import from this package.
"""

from mutualisation.views.campagne import (
    AjustementCreer,
    AnneeMixin,
    BaremeModifier,
    CalculEtat,
    CalculLancer,
    Campagne,
    FormulaireCampagne,
    Index,
)
from mutualisation.views.campagne import _statut_campagne as _statut_campagne  # views_cycle.py uses it
from mutualisation.views.imports import (
    CLE_APERCUS,
    ImportDetail,
    ImportEtat,
    Imports,
    tableau_apercu,
)
from mutualisation.views.resultats import (
    COLONNES_RESULTATS,
    FILTRES_RESULTATS,
    Export,
    ExportCsv,
    ExportXlsx,
    OrganismeDetail,
    Resultats,
    colonnes_triables,
    explication_affichable,
    filtres_resultats,
)

__all__ = [
    "CLE_APERCUS",
    "COLONNES_RESULTATS",
    "FILTRES_RESULTATS",
    "AjustementCreer",
    "AnneeMixin",
    "BaremeModifier",
    "CalculEtat",
    "CalculLancer",
    "Campagne",
    "Export",
    "ExportCsv",
    "ExportXlsx",
    "FormulaireCampagne",
    "ImportDetail",
    "ImportEtat",
    "Imports",
    "Index",
    "OrganismeDetail",
    "Resultats",
    "colonnes_triables",
    "explication_affichable",
    "filtres_resultats",
    "tableau_apercu",
]
