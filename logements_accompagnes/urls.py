from django.urls import path

from logements_accompagnes import services, views
from logements_accompagnes.forms import DepotForm
from pacte.appels.enums import Dispositif
from pacte.appels.urls import motifs

app_name = "logements_accompagnes"

urlpatterns = [
    path("", views.Index.as_view(), name="index"),
    *motifs(dispositif=Dispositif.LOGEMENTS_ACCOMPAGNES, espace=app_name, deposer_service=services.projet_deposer,
            deposer_form=DepotForm, candidature_vue=views.CandidatureAccompagnee),
]
