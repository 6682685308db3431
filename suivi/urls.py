from django.urls import path

from pacte.views import Espace

app_name = "suivi"

urlpatterns = [
    path(
        "",
        Espace.as_view(
            titre="Suivi du pacte",
            description=(
                "Production et rénovation au regard des objectifs, tableaux de bord régionaux, travaux du comité"
                " de suivi national (§6 et annexe 5 du pacte)."
            ),
            sections=("§1", "§2", "§3", "§6", "Annexe 2", "Annexe 5"),
        ),
        name="index",
    ),
]
