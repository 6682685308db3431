from django.urls import path

from mutualisation import views

app_name = "mutualisation"

urlpatterns = [
    path("", views.Index.as_view(), name="index"),
    path("imports/", views.Imports.as_view(), name="imports"),
    path("imports/<int:pk>/", views.ImportDetail.as_view(), name="import"),
    path("imports/<int:pk>/etat/", views.ImportEtat.as_view(), name="import-etat"),
    path("calculs/<int:pk>/etat/", views.CalculEtat.as_view(), name="calcul-etat"),
    path("<int:annee>/", views.Campagne.as_view(), name="campagne"),
    path("<int:annee>/bareme/", views.BaremeModifier.as_view(), name="bareme"),
    path("<int:annee>/calculer/", views.CalculLancer.as_view(), name="calculer"),
    path("<int:annee>/ajustements/nouveau/", views.AjustementCreer.as_view(), name="ajustement"),
    path("<int:annee>/resultats/", views.Resultats.as_view(), name="resultats"),
    path("<int:annee>/export.csv", views.ExportCsv.as_view(), name="export-csv"),
    path("<int:annee>/export.xlsx", views.ExportXlsx.as_view(), name="export-xlsx"),
    path("<int:annee>/organismes/<str:siren>/", views.OrganismeDetail.as_view(), name="organisme"),
]
