from django.urls import path

from pacte.views import Espace

app_name = "mutualisation"

urlpatterns = [
    path(
        "",
        Espace.as_view(
            titre="Mutualisation financière Hlm",
            description=(
                "Chaque année, les organismes Hlm mettent en commun une partie de leurs ressources pour aider la"
                " production neuve, la réhabilitation thermique et la restructuration du parc (§1 et annexe 1 du"
                " pacte)."
            ),
            sections=("Annexe 1",),
        ),
        name="index",
    ),
]
