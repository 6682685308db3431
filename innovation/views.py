"""Pages of the innovation fund: the engine's pages plus envelopes, bilans, conventions and financing terms."""

from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from innovation import selectors, services
from innovation.forms import ConditionsForm, ConventionForm, EnveloppeForm
from pacte.acces import AccesMixin
from pacte.appels import workflow
from pacte.appels.enums import Dispositif, StatutCandidature
from pacte.appels.regles import ErreurAppel
from pacte.appels.selectors import appels_du_dispositif, candidature_detail
from pacte.appels.views import CandidatureDetail
from pacte.models_appels import Candidature

PERMISSIONS_COMITE = (workflow.INSTRUIRE, "pacte.noter_candidature")  # the Comité d'orientation


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
        user = self.request.user
        peut = user.has_perm(workflow.GERER) and candidature.statut == StatutCandidature.RETENUE
        conditions = user.has_perms(PERMISSIONS_COMITE) and candidature.statut in services.STATUTS_EXAMEN
        return {"projet": candidature.projet_innovation, "convention_form": ConventionForm() if peut else None,
                "peut_fixer_conditions": conditions}

    def action_convention(self, candidature):
        donnees = self._formulaire(ConventionForm)
        services.convention_enregistrer(acting_user=self.request.user, candidature=candidature, **donnees)
        return "Convention enregistrée."


class Conditions(AccesMixin, FormView):
    """The Comité d'orientation sets the financing terms of a file under examination."""

    permissions_requises = PERMISSIONS_COMITE
    template_name = "innovation/conditions.html"
    form_class = ConditionsForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            try:
                self.candidature = candidature_detail(request.user, kwargs["pk"])
            except Candidature.DoesNotExist:
                self.candidature = None
        return super().dispatch(request, *args, **kwargs)

    def _candidature(self) -> Candidature:
        if self.candidature is None or self.candidature.appel.dispositif != Dispositif.INNOVATION:
            raise Http404("Candidature introuvable.")
        return self.candidature

    def get_initial(self):
        projet = self._candidature().projet_innovation
        taux, mois = projet.taux_pret, projet.duree_pret_mois
        return {"type_aide": projet.type_aide,  # the applicant's request, until the committee rules
                "taux_pourcent": None if taux is None else (taux * 100).quantize(Decimal("0.01")),
                "duree_annees": mois // 12 if mois and mois % 12 == 0 else None}

    def get_context_data(self, **kwargs):
        candidature = self._candidature()
        return super().get_context_data(espace="innovation", candidature=candidature,
                                        projet=candidature.projet_innovation,
                                        en_examen=candidature.statut in services.STATUTS_EXAMEN, **kwargs)

    def form_valid(self, form):
        candidature = self._candidature()
        try:
            services.conditions_fixer(acting_user=self.request.user, candidature=candidature, **form.cleaned_data)
        except ErreurAppel as erreur:
            form.add_error(None, str(erreur))
            return self.form_invalid(form)
        messages.success(self.request, "Conditions de financement fixées.")
        return redirect(reverse("innovation:candidature", args=[candidature.pk]))
