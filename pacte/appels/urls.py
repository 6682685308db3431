"""The engine's pages, mounted by each app in its own namespace with its dispositif."""

from django.urls import path

from pacte.appels import views


def motifs(*, dispositif: str, espace: str, deposer_service, deposer_form, candidature_vue=views.CandidatureDetail,
           appel_vue=views.AppelDetail) -> list:
    communs = {"dispositif": dispositif, "espace": espace}

    class Deposer(views.Deposer):
        service = deposer_service
        form_class = deposer_form

    return [
        path("appels/<int:pk>/", appel_vue.as_view(**communs), name="appel"),
        path("appels/<int:pk>/deposer/", Deposer.as_view(**communs), name="deposer"),
        path("appels/<int:pk>/export.csv", views.ExportAppel.as_view(format="csv", **communs), name="export-csv"),
        path("appels/<int:pk>/export.xlsx", views.ExportAppel.as_view(format="xlsx", **communs), name="export-xlsx"),
        path("candidatures/<int:pk>/", candidature_vue.as_view(**communs), name="candidature"),
        path("candidatures/<int:pk>/lettre.pdf", views.LettreDecision.as_view(**communs), name="lettre"),
    ]
