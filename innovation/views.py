"""Pages of the innovation fund: the engine's pages plus envelopes, bilans and conventions."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import TemplateView

from innovation import selectors, services
from innovation.forms import ConventionForm, EnveloppeForm
from pacte.acces import AccesMixin
from pacte.appels import workflow
from pacte.appels.enums import Dispositif, StatutCandidature
from pacte.appels.regles import ErreurAppel
from pacte.appels.selectors import appels_du_dispositif
from pacte.appels.views import CandidatureDetail


class Index(AccesMixin, TemplateView):
    template_name = "innovation/index.html"

    def get_context_data(self, **kwargs):
        appels = list(appels_du_dispositif(Dispositif.INNOVATION))
        annees = sorted({e.annee for e in selectors.enveloppes()} | {a.annee for a in appels})
        return super().get_context_data(
            espace="innovation", appels=appels, consommations=selectors.consommations(annees),
            bilans=selectors.bilans(), themes=selectors.themes_actifs(), enveloppe_form=EnveloppeForm(), **kwargs)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "enveloppe":
                form = EnveloppeForm(request.POST)
                if not form.is_valid():
                    raise ErreurAppel("Année et montant de l'enveloppe sont requis.")
                services.enveloppe_fixer(acting_user=request.user, **form.cleaned_data)
                messages.success(request, f"Enveloppe {form.cleaned_data['annee']} fixée.")
            elif action in ("bilan", "reconduire"):
                annee = int(request.POST.get("annee", "0"))
                if action == "bilan":
                    services.bilan_etablir(acting_user=request.user, annee=annee)
                    messages.success(request, f"Bilan {annee} établi.")
                else:
                    services.enveloppe_reconduire(acting_user=request.user, annee=annee)
                    messages.success(request, f"Enveloppe {annee + 1} réévaluée d'après le bilan {annee}.")
        except (ErreurAppel, ValueError) as erreur:
            messages.error(request, str(erreur))
        return redirect(request.path)


class CandidatureInnovation(CandidatureDetail):
    gabarit_projet = "innovation/_projet.html"

    def contexte_projet(self, candidature) -> dict:
        peut = self.request.user.has_perm(workflow.GERER) and candidature.statut == StatutCandidature.RETENUE
        return {"projet": candidature.projet_innovation, "convention_form": ConventionForm() if peut else None}

    def action_convention(self, candidature):
        donnees = self._formulaire(ConventionForm)
        services.convention_enregistrer(acting_user=self.request.user, candidature=candidature, **donnees)
        return "Convention enregistrée."
