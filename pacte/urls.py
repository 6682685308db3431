from django.contrib import admin
from django.urls import include, path

from mutualisation.api import router as router_mutualisation
from pacte import views
from pacte.api import Redoc, Schema, Swagger, router

admin.site.site_header = "Administration de Pacte"
admin.site.site_title = "Pacte"

urlpatterns = [
    path("", views.Accueil.as_view(), name="accueil"),
    path("connexion/", views.Connexion.as_view(), name="connexion"),
    path("deconnexion/", views.Deconnexion.as_view(), name="deconnexion"),
    path("proconnect/", include("pacte.proconnect")),  # ProConnect (OIDC), 404 unless configured
    path("sante/", views.Sante.as_view(), name="sante"),
    path("engagements/<str:code>/", views.EngagementDetail.as_view(), name="engagement"),
    path("referentiels/organismes/", views.OrganismeListe.as_view(), name="organismes"),
    path("referentiels/regions/", views.RegionListe.as_view(), name="regions"),
    path("administration/", views.Administration.as_view(), name="administration"),
    path("mutualisation/", include("mutualisation.urls")),
    path("suivi/", include("suivi.urls")),
    path("innovation/", include("innovation.urls")),
    path("logements-accompagnes/", include("logements_accompagnes.urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/mutualisation/", include(router_mutualisation.urls)),
    path("api/v1/appels/", include("pacte.appels.api")),
    path("api/v1/suivi/", include("suivi.api")),
    path("api/schema/", Schema.as_view(), name="schema"),
    path("api/docs/", Swagger.as_view(url_name="schema"), name="swagger"),
    path("api/redoc/", Redoc.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
]
