"""Pages of « 10 000 logements accompagnés »: the engine's pages plus the national counter and the follow-up."""

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from logements_accompagnes import selectors, services
from logements_accompagnes.enums import SECTIONS_ANNEXE_3
from logements_accompagnes.forms import SuiviForm
from pacte.acces import AccesMixin
from pacte.appels import workflow
from pacte.appels.enums import Dispositif
from pacte.appels.selectors import appels_du_dispositif
from pacte.appels.views import PAR_PAGE, CandidatureDetail


class Index(AccesMixin, TemplateView):
    """The calls and the national counter of homes mobilised against the 10 000 target."""

    template_name = "logements_accompagnes/index.html"

    def get_context_data(self, **kwargs):
        page_obj = Paginator(selectors.suivi_par_projet(), PAR_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            espace="logements_accompagnes", appels=appels_du_dispositif(Dispositif.LOGEMENTS_ACCOMPAGNES),
            compteur=selectors.compteur_national(), par_region=selectors.suivi_par_region(),
            par_annee=selectors.suivi_par_annee(), par_projet=page_obj.object_list, page_obj=page_obj, **kwargs)


class CandidatureAccompagnee(CandidatureDetail):
    gabarit_projet = "logements_accompagnes/_projet.html"

    def contexte_projet(self, candidature) -> dict:
        projet = candidature.projet_accompagne
        peut_suivre = (self.request.user.has_perm(workflow.GERER)
                       and candidature.statut in services.STATUTS_SUIVIS)
        return {"projet": projet, "sections": [(titre, getattr(projet, champ)) for champ, titre in SECTIONS_ANNEXE_3],
                "suivi_form": SuiviForm() if peut_suivre else None}

    def action_suivi(self, candidature):
        donnees = self._formulaire(SuiviForm)
        services.suivi_enregistrer(acting_user=self.request.user, candidature=candidature, **donnees)
        return f"Suivi {donnees['annee']} enregistré."
