from django.urls import path

from pacte.views import Espace

app_name = "logements_accompagnes"

urlpatterns = [
    path(
        "",
        Espace.as_view(
            titre="10 000 logements accompagnés",
            description=(
                "Appel à projets pour des logements à loyer accessible avec un accompagnement social adapté (§4 "
                "et annexe 3 du pacte)."
            ),
            sections=("§4", "Annexe 3"),
        ),
        name="index",
    ),
]
