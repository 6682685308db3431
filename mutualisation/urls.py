from django.urls import include, path

from mutualisation import views, views_cycle

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
    # The campaign's life, its documents and the audit trail (mutualisation/views_cycle.py)
    path("<int:annee>/approuver/", views_cycle.CalculApprouver.as_view(), name="approuver"),
    path("<int:annee>/notifier/", views_cycle.CampagneNotifier.as_view(), name="notifier"),
    path("<int:annee>/clore/", views_cycle.CampagneClore.as_view(), name="clore"),
    path("<int:annee>/rouvrir/", views_cycle.CampagneReouvrir.as_view(), name="rouvrir"),
    path("avis/travaux/<int:pk>/etat/", views_cycle.AvisEtat.as_view(), name="avis-etat"),
    path("<int:annee>/avis/<str:siren>.pdf", views_cycle.AvisPdf.as_view(), name="avis-pdf"),
    path("<int:annee>/avis.zip", views_cycle.AvisZip.as_view(), name="avis-zip"),
    path("<int:annee>/echeancier.csv", views_cycle.Echeancier.as_view(), {"extension": "csv"}, name="echeancier-csv"),
    path("<int:annee>/echeancier.xlsx", views_cycle.Echeancier.as_view(), {"extension": "xlsx"},
         name="echeancier-xlsx"),
    path("<int:annee>/bilan/", views_cycle.Bilan.as_view(), name="bilan"),
    path("<int:annee>/bilan.pdf", views_cycle.BilanPdf.as_view(), name="bilan-pdf"),
    path("<int:annee>/audit/", views_cycle.AuditCampagne.as_view(), name="audit-campagne"),
    path("audit/organismes/<str:siren>/", views_cycle.AuditOrganisme.as_view(), name="audit-organisme"),
    # What-if simulation (mutualisation/urls_simulation.py, docs/simulation.md)
    path("<int:annee>/simulations/", include("mutualisation.urls_simulation")),
]
