from django.urls import path

from innovation import services, views
from innovation.forms import DepotForm
from pacte.appels.enums import Dispositif
from pacte.appels.urls import motifs

app_name = "innovation"

urlpatterns = [
    path("", views.Index.as_view(), name="index"),
    path("candidatures/<int:pk>/conditions/", views.Conditions.as_view(), name="conditions"),
    *motifs(dispositif=Dispositif.INNOVATION, espace=app_name, deposer_service=services.projet_deposer,
            deposer_form=DepotForm, candidature_vue=views.CandidatureInnovation),
]
