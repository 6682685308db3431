from django.urls import path

from pacte.views import Espace

app_name = "innovation"

urlpatterns = [
    path(
        "",
        Espace.as_view(
            titre="Fonds de soutien à l'innovation",
            description=(
                "Fonds géré au sein de la CGLLS : 5 M€ la première année, subventions et prêts bonifiés aux "
                "projets innovants (§5 et annexe 4 du pacte)."
            ),
            sections=("§5", "Annexe 4"),
        ),
        name="index",
    ),
]
