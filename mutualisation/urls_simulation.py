"""What-if simulation pages (docs/simulation.md), included under ``<annee>/simulations/`` in mutualisation/urls.py."""

from django.urls import path

from mutualisation import views_simulation as vues

urlpatterns = [
    path("", vues.Simulations.as_view(), name="simulations"),
    path("nouvelle/", vues.VarianteCreer.as_view(), name="variante-creer"),
    path("<int:pk>/", vues.SimulationComparaison.as_view(), name="simulation"),
    path("<int:pk>/comparaison.csv", vues.SimulationExportCsv.as_view(), name="simulation-csv"),
    path("<int:pk>/comparaison.xlsx", vues.SimulationExportXlsx.as_view(), name="simulation-xlsx"),
]
