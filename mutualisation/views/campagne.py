"""The campaigns' pages: the three years, one campaign, its barème and adjustment forms, launching a run and
following its progress; the year check (AnneeMixin) and campaign status the other mutualisation pages share."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from mutualisation import selectors
from mutualisation.enums import StatutCalcul, StatutCampagne
from mutualisation.forms import AjustementForm, BaremeForm
from mutualisation.services.campagne import (
    ErreurCampagne,
    ajustement_enregistrer,
    bareme_modifier,
    calcul_lancer,
)
from pacte.acces import AccesMixin


class AnneeMixin:
    """Pages of one campaign: the year must be one of the pact's."""

    annee: int

    def dispatch(self, request, *args, **kwargs):
        if kwargs["annee"] not in selectors.ANNEES_CAMPAGNE:
            raise Http404(f"Pas de campagne de mutualisation en {kwargs['annee']}.")
        self.annee = kwargs["annee"]
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{**kwargs, "annee": self.annee})

    def url_campagne(self, ancre: str = "") -> str:
        return reverse("mutualisation:campagne", kwargs={"annee": self.annee}) + ancre


def _statut_campagne(campagne) -> dict:
    statut = StatutCampagne(campagne.statut if campagne else StatutCampagne.OUVERTE)
    return {"code": statut.value, "libelle": statut.label, "fige": statut in selectors.STATUTS_FIGES}


# --- The campaigns -------------------------------------------------------------------------------------------------


def _graphique_composantes(campagnes: list[dict]) -> list[dict]:
    """Aid by component and year, each bar's width relative to the largest amount of the chart."""
    lignes = [
        {"libelle": libelle, "barres": [{"annee": c["annee"], "montant": c["synthese"][nom]}
                                       for c in campagnes if c["synthese"]]}
        for nom, libelle in selectors.COMPOSANTES_AIDE
    ]
    maximum = max((abs(b["montant"]) for ligne in lignes for b in ligne["barres"]), default=0)
    for ligne in lignes:
        for barre in ligne["barres"]:
            barre["largeur"] = round(100 * abs(barre["montant"]) / maximum) if maximum else 0
    return [ligne for ligne in lignes if ligne["barres"]]


class Index(AccesMixin, TemplateView):
    """The pact's three campaigns; national figures for those who may read them."""

    template_name = "mutualisation/index.html"

    def _campagnes(self) -> list[dict]:
        annees = selectors.ANNEES_CAMPAGNE
        campagnes = selectors.campagnes_des_annees(annees)
        baremes = selectors.baremes_des_annees(annees)
        voit_resultats = self.request.user.has_perm("mutualisation.voir_resultats")
        calculs = selectors.derniers_calculs(annees) if voit_resultats else {}
        return [
            {
                "annee": annee,
                "statut": _statut_campagne(campagnes.get(annee)),
                "bareme": baremes.get(annee),
                "calcul": calculs.get(annee),
                "synthese": selectors.synthese_du_calcul(calculs[annee]) if annee in calculs else None,
            }
            for annee in annees
        ]

    def get_context_data(self, **kwargs):
        campagnes = self._campagnes()
        return super().get_context_data(campagnes=campagnes, graphique=_graphique_composantes(campagnes), **kwargs)


class Campagne(AccesMixin, AnneeMixin, TemplateView):
    permissions_requises = ("mutualisation.voir_resultats",)
    template_name = "mutualisation/campagne.html"

    def _bareme(self) -> dict:
        bareme = selectors.bareme_de_l_annee(self.annee)
        return {"bareme": bareme, "bareme_precedent": None if bareme else selectors.bareme_precedent(self.annee)}

    def _calculs(self) -> dict:
        calculs = list(selectors.calculs_de_l_annee(self.annee)[:20])
        dernier = next((c for c in calculs if c.statut == StatutCalcul.TERMINE and not c.simulation), None)
        synthese = selectors.synthese_du_calcul(dernier) if dernier else None
        return {
            "calculs": calculs,
            "calcul_actif": next((c for c in calculs if c.statut in selectors.STATUTS_ACTIFS), None),
            "dernier": dernier,
            "synthese": synthese,
            "controles": selectors.controles_du_calcul(dernier, synthese) if dernier else [],
        }

    def get_context_data(self, **kwargs):
        from mutualisation.views_cycle import contexte_cycle  # views_cycle builds on this module

        campagne = selectors.campagne_de_l_annee(self.annee)
        statut = _statut_campagne(campagne)
        return super().get_context_data(
            statut=statut,
            **contexte_cycle(self.request.user, self.annee, campagne),
            imports=selectors.imports_recents(5),
            ajustements=selectors.ajustements_de_l_annee(self.annee),
            ajustement_form=AjustementForm(),
            **self._bareme(),
            **self._calculs(),
            **kwargs,
        )


class FormulaireCampagne(AccesMixin, AnneeMixin, FormView):
    """A campaign form on its own page (GET) and its handling (POST); the campaign page embeds the same form."""

    def get_context_data(self, **kwargs):
        statut = _statut_campagne(selectors.campagne_de_l_annee(self.annee))
        return super().get_context_data(statut=statut, **kwargs)

    def refuser(self, form, erreur: ErreurCampagne):
        form.add_error(None, str(erreur))
        return self.form_invalid(form)


class BaremeModifier(FormulaireCampagne):
    permissions_requises = ("mutualisation.modifier_bareme",)
    template_name = "mutualisation/bareme_form.html"

    def get_form(self, form_class=None):
        bareme = selectors.bareme_de_l_annee(self.annee)
        if bareme is None:
            return self._form_depuis_precedent()
        return BaremeForm.depuis_bareme(bareme, **self._donnees())

    def _form_depuis_precedent(self) -> BaremeForm:
        """A new year starts from the previous barème with the exempt organisms' rate at 0 % (domain.md §3)."""
        form = BaremeForm.depuis_bareme(selectors.bareme_precedent(self.annee), **self._donnees())
        form.initial["taux_aide_exoneres"] = 0
        return form

    def _donnees(self) -> dict:
        return {"data": self.request.POST} if self.request.method == "POST" else {}

    def form_valid(self, form):
        valeurs = form.valeurs_modifiees()
        if not valeurs:
            messages.info(self.request, "Aucune modification du barème.")
            return redirect(self.url_campagne("#bareme"))
        try:
            bareme_modifier(acting_user=self.request.user, annee=self.annee, valeurs=valeurs)
        except ErreurCampagne as erreur:
            return self.refuser(form, erreur)
        messages.success(self.request, f"Barème {self.annee} enregistré ({len(valeurs)} champ(s) modifié(s)).")
        return redirect(self.url_campagne("#bareme"))


class AjustementCreer(FormulaireCampagne):
    permissions_requises = ("mutualisation.ajuster",)
    template_name = "mutualisation/ajustement_form.html"
    form_class = AjustementForm

    def form_valid(self, form):
        try:
            ajustement_enregistrer(acting_user=self.request.user, annee=self.annee, **form.cleaned_data)
        except ErreurCampagne as erreur:
            return self.refuser(form, erreur)
        messages.success(self.request, f"Ajustement enregistré pour le SIREN {form.cleaned_data['siren']}.")
        return redirect(self.url_campagne("#ajustements"))


class CalculLancer(AccesMixin, AnneeMixin, TemplateView):
    """GET: a confirmation page; POST: record a run for the worker, then follow it on the campaign page."""

    permissions_requises = ("mutualisation.lancer_calcul",)
    template_name = "mutualisation/calcul_lancer.html"

    def get_context_data(self, **kwargs):
        statut = _statut_campagne(selectors.campagne_de_l_annee(self.annee))
        return super().get_context_data(statut=statut, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            calcul = calcul_lancer(acting_user=request.user, annee=self.annee)
        except ErreurCampagne as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, f"Calcul n° {calcul.pk} lancé : suivez son avancement ci-dessous.")
        return redirect(self.url_campagne("#calculs"))


class CalculEtat(AccesMixin, View):
    """What the progress bar polls."""

    permissions_requises = ("mutualisation.voir_resultats",)

    def get(self, request, pk):
        return JsonResponse(selectors.etat_calcul(get_object_or_404(selectors.calculs_tous(), pk=pk)))
