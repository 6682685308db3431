"""URLs of the committee's work, included in the suivi namespace by suivi/urls.py."""

from django.urls import path

from suivi import views_comite as vues

urlpatterns = [
    path("engagements/", vues.Engagements.as_view(), name="engagements"),
    path("engagements/<str:code>/mise-a-jour/", vues.EngagementMiseAJour.as_view(), name="engagement-mise-a-jour"),
    path("comite/", vues.Comite.as_view(), name="comite"),
    path("comite/reunions/nouvelle/", vues.ReunionCreer.as_view(), name="reunion-creer"),
    path("comite/reunions/<int:pk>/", vues.ReunionDetail.as_view(), name="reunion"),
    path("comite/reunions/<int:pk>/modifier/", vues.ReunionModifier.as_view(), name="reunion-modifier"),
    path("comite/blocages/", vues.Blocages.as_view(), name="blocages"),
    path("comite/blocages/nouveau/", vues.BlocageCreer.as_view(), name="blocage-creer"),
    path("comite/blocages/<int:pk>/", vues.BlocageDetail.as_view(), name="blocage"),
    path("comite/blocages/<int:pk>/modifier/", vues.BlocageModifier.as_view(), name="blocage-modifier"),
    path("comite/bonnes-pratiques/", vues.BonnesPratiques.as_view(), name="bonnes-pratiques"),
    path("comite/bonnes-pratiques/nouvelle/", vues.BonnePratiqueCreer.as_view(), name="bonne-pratique-creer"),
    path("comite/bonnes-pratiques/<int:pk>/", vues.BonnePratiqueDetail.as_view(), name="bonne-pratique"),
    path("comite/bonnes-pratiques/<int:pk>/modifier/", vues.BonnePratiqueModifier.as_view(),
         name="bonne-pratique-modifier"),
    path("diagnostics/", vues.Diagnostics.as_view(), name="diagnostics"),
    path("diagnostics/<int:annee>/<str:code>/", vues.DiagnosticDetail.as_view(), name="diagnostic"),
    path("diagnostics/<int:annee>/<str:code>/modifier/", vues.DiagnosticModifier.as_view(),
         name="diagnostic-modifier"),
    path("rapports/", vues.Rapports.as_view(), name="rapports"),
    path("rapports/produire/", vues.RapportProduire.as_view(), name="rapport-produire"),
    path("rapports/<int:pk>/", vues.RapportDetail.as_view(), name="rapport"),
    path("rapports/<int:pk>/pdf/", vues.RapportPdf.as_view(), name="rapport-pdf"),
]
