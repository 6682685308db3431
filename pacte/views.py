from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from pacte import proconnect, selectors
from pacte.acces import AccesMixin
from pacte.enums import Famille, Partie
from pacte.objectifs import OBJECTIFS_PACTE


class Connexion(AccesMixin, auth_views.LoginView):
    acces_public = True
    template_name = "pacte/connexion.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(proconnect_actif=settings.PROCONNECT_ACTIF, **kwargs)  # docs/proconnect.md


class Deconnexion(AccesMixin, auth_views.LogoutView):
    acces_public = True

    def post(self, request, *args, **kwargs):
        """A session opened through ProConnect is closed there too (docs/proconnect.md)."""
        fin_chez_proconnect = proconnect.url_fin_de_session(request)  # read before logout() empties the session
        reponse = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(fin_chez_proconnect) if fin_chez_proconnect else reponse


class Sante(AccesMixin, View):
    """Liveness and database check for the load balancer and docker-compose."""

    acces_public = True

    def get(self, request):
        with connection.cursor() as curseur:
            curseur.execute("SELECT 1")
        return JsonResponse({"statut": "ok"})


class Accueil(AccesMixin, TemplateView):
    template_name = "pacte/accueil.html"

    def get_context_data(self, **kwargs):
        engagements = list(selectors.engagements_liste())
        par_partie = [
            {"partie": p.label, "engagements": [e for e in engagements if e.partie == p.value]} for p in Partie
        ]
        return super().get_context_data(
            objectifs=OBJECTIFS_PACTE,
            par_partie=[groupe for groupe in par_partie if groupe["engagements"]],
            par_statut=selectors.engagements_par_statut(),
            nb_engagements=len(engagements),
            **kwargs,
        )


class EngagementDetail(AccesMixin, DetailView):
    template_name = "pacte/engagement_detail.html"
    context_object_name = "engagement"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.engagements_liste(), code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        """The committee's dated updates, and their form for those who record them (suivi app)."""
        from suivi.forms import MiseAJourEngagementForm
        from suivi.selectors_comite import mises_a_jour_de_l_engagement

        peut_mettre_a_jour = self.request.user.has_perm("pacte.modifier_statut_engagement")
        return super().get_context_data(
            mises_a_jour=mises_a_jour_de_l_engagement(self.object),
            formulaire_mise_a_jour=MiseAJourEngagementForm(initial={"statut": self.object.statut})
            if peut_mettre_a_jour else None,
            **kwargs,
        )


class OrganismeListe(AccesMixin, ListView):
    template_name = "pacte/organisme_liste.html"
    context_object_name = "organismes"
    paginate_by = 50

    def get_queryset(self):
        filtres = {cle: self.request.GET.get(cle, "").strip() for cle in ("recherche", "famille", "region")}
        return selectors.organismes_rechercher(self.request.user, **filtres)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            familles=Famille.choices, regions=selectors.regions_avec_departements(), filtres=self.request.GET, **kwargs
        )


class RegionListe(AccesMixin, ListView):
    template_name = "pacte/region_liste.html"
    context_object_name = "regions"

    def get_queryset(self):
        return selectors.regions_avec_departements()


class Administration(AccesMixin, TemplateView):
    permissions_requises = ("pacte.voir_administration",)
    template_name = "pacte/administration.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            utilisateurs=selectors.utilisateurs_liste(), evenements=selectors.evenements_recents(), **kwargs
        )


class Espace(AccesMixin, TemplateView):
    """The landing page of one area: what it covers and the pact's commitments that belong to it."""

    template_name = "pacte/espace.html"
    titre = ""
    description = ""
    sections: tuple[str, ...] = ()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            titre=self.titre,
            description=self.description,
            engagements=selectors.engagements_liste(sections=self.sections),
            **kwargs,
        )
