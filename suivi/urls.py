from django.urls import include, path

from suivi import views

app_name = "suivi"

urlpatterns = [
    path("", views.Index.as_view(), name="index"),
    path("national/", views.National.as_view(), name="national"),
    path("regions/", views.Classement.as_view(), name="classement"),
    path("regions/<str:code>/", views.RegionDetail.as_view(), name="region"),
    path("departements/<str:code>/", views.DepartementDetail.as_view(), name="departement"),
    path("organismes/<str:siren>/", views.OrganismeDetail.as_view(), name="organisme"),
    path("", include("suivi.urls_comite")),  # the committee's work: commitments, meetings, diagnostics, report
]
