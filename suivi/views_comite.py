"""Pages of the committee's work (§6, Annexe 5): commitments and their updates, meetings, blocking points, good
practices, regional diagnostics and the annual report. Thin adapters over suivi.selectors_comite and suivi.services;
the editing scope is the selectors', never the templates'."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, ListView, TemplateView

from pacte import selectors as pacte_selectors
from pacte.acces import AccesMixin
from pacte.enums import StatutTravail
from pacte.models import Engagement, Region
from suivi import selectors_comite as selectors
from suivi import services
from suivi.forms import (
    BonnePratiqueForm,
    DiagnosticForm,
    MiseAJourEngagementForm,
    PointDeBlocageForm,
    RapportForm,
    RechercheBlocagesForm,
    RechercheBonnesPratiquesForm,
    ReunionForm,
)
from suivi.models import BonnePratique, DiagnosticRegional, PointDeBlocage, RapportAnnuel, Reunion


def _erreurs_du_service(form, erreur: ValidationError) -> None:
    """A service's refusal shown on the form, field by field when it names fields."""
    if hasattr(erreur, "error_dict"):
        for champ, erreurs in erreur.error_dict.items():
            form.add_error(champ if champ in form.fields else None, erreurs)
    else:
        form.add_error(None, erreur)


class EnregistrementMixin:
    """A form page whose valid form goes through one service; a ValidationError comes back onto the form."""

    message_succes = "Enregistré."

    def enregistrer(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.objet = self.enregistrer(form)
        except ValidationError as erreur:
            _erreurs_du_service(form, erreur)
            return self.form_invalid(form)
        messages.success(self.request, self.message_succes)
        return redirect(self.get_success_url())


# --- Commitments -----------------------------------------------------------------------------------------------------


class Engagements(AccesMixin, TemplateView):
    """Every commitment by party and section, with status, dated updates, indicator and deadline; and the State's
    financial commitments with their figures."""

    permissions_requises = ("pacte.view_engagement",)
    template_name = "suivi/engagements/liste.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            groupes=selectors.engagements_groupes(), financiers=selectors.engagements_financiers_etat(),
            par_statut=pacte_selectors.engagements_par_statut(), **kwargs,
        )


class EngagementMiseAJour(AccesMixin, EnregistrementMixin, FormView):
    permissions_requises = ("pacte.modifier_statut_engagement",)
    template_name = "suivi/engagements/mise_a_jour.html"
    form_class = MiseAJourEngagementForm
    message_succes = "La mise à jour de l'engagement est enregistrée."

    @cached_property
    def engagement(self):
        return get_object_or_404(Engagement, code=self.kwargs["code"])

    def get_initial(self):
        return {"statut": self.engagement.statut}

    def get_context_data(self, **kwargs):
        return super().get_context_data(engagement=self.engagement, **kwargs)

    def enregistrer(self, form):
        return services.engagement_mettre_a_jour(acting_user=self.request.user, engagement=self.engagement,
                                                 **form.cleaned_data)

    def get_success_url(self):
        return reverse("engagement", args=[self.engagement.code]) + "#mises-a-jour"


# --- The committee and its meetings ----------------------------------------------------------------------------------


class Comite(AccesMixin, ListView):
    """The committee: meetings per year (warning under three national ones), then every meeting."""

    permissions_requises = ("suivi.view_reunion",)
    template_name = "suivi/comite/index.html"
    context_object_name = "reunions"
    paginate_by = 30

    def get_queryset(self):
        return selectors.reunions_liste()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            par_annee=selectors.reunions_par_annee(), minimum=selectors.REUNIONS_NATIONALES_MINIMUM,
            blocages=selectors.blocages_par_statut(), **kwargs,
        )


class ReunionDetail(AccesMixin, DetailView):
    permissions_requises = ("suivi.view_reunion",)
    template_name = "suivi/comite/reunion.html"
    context_object_name = "reunion"

    def get_queryset(self):
        return selectors.reunions_liste().prefetch_related("pointdeblocage_set")


class ReunionCreer(AccesMixin, EnregistrementMixin, FormView):
    permissions_requises = ("suivi.gerer_comite",)
    template_name = "suivi/comite/reunion_form.html"
    form_class = ReunionForm
    message_succes = "La réunion est enregistrée."
    objet = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.objet}

    def enregistrer(self, form):
        return services.reunion_enregistrer(acting_user=self.request.user, reunion=self.objet, **form.cleaned_data)

    def get_success_url(self):
        return reverse("suivi:reunion", args=[self.objet.pk])


class ReunionModifier(ReunionCreer):
    @cached_property
    def objet(self):
        return get_object_or_404(Reunion, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(reunion=self.objet, **kwargs)


# --- Blocking points -------------------------------------------------------------------------------------------------


class Blocages(AccesMixin, ListView):
    permissions_requises = ("suivi.view_pointdeblocage",)
    template_name = "suivi/comite/blocages.html"
    context_object_name = "points"
    paginate_by = 50

    def get_queryset(self):
        self.filtres = RechercheBlocagesForm(self.request.GET or None)
        criteres = self.filtres.cleaned_data if self.filtres.is_valid() else {}
        return selectors.blocages_filtrer(**criteres)

    def get_context_data(self, **kwargs):
        peut_creer = selectors.blocage_regions_modifiables(self.request.user).exists()
        return super().get_context_data(filtres=self.filtres, peut_creer=peut_creer,
                                        par_statut=selectors.blocages_par_statut(), **kwargs)


class BlocageDetail(AccesMixin, TemplateView):
    permissions_requises = ("suivi.view_pointdeblocage",)
    template_name = "suivi/comite/blocage.html"

    def get_context_data(self, **kwargs):
        try:
            point = selectors.blocage_detail(kwargs["pk"])
        except PointDeBlocage.DoesNotExist:
            raise Http404("Point de blocage introuvable.") from None
        return super().get_context_data(
            point=point, historique=selectors.historique_du_blocage(point),
            peut_modifier=selectors.peut_modifier_blocage(self.request.user, point.region), **kwargs)


class BlocageCreer(AccesMixin, EnregistrementMixin, FormView):
    """A referent files its own region's points; the secretariat any region's, and national ones."""

    permissions_requises = ("suivi.modifier_diagnostic",)
    template_name = "suivi/comite/blocage_form.html"
    form_class = PointDeBlocageForm
    message_succes = "Le point de blocage est enregistré."
    objet = None

    def get_form_kwargs(self):
        utilisateur = self.request.user
        return {**super().get_form_kwargs(), "instance": self.objet,
                "regions": selectors.blocage_regions_modifiables(utilisateur),
                "national": selectors.peut_modifier_blocage(utilisateur, None)}

    def enregistrer(self, form):
        champs = {nom: valeur for nom, valeur in form.cleaned_data.items() if nom != "commentaire"}
        try:
            return services.point_de_blocage_enregistrer(acting_user=self.request.user, point=self.objet,
                                                         commentaire=form.cleaned_data["commentaire"], **champs)
        except PermissionDenied as refus:
            raise ValidationError({"region": str(refus)}) from refus

    def get_success_url(self):
        return reverse("suivi:blocage", args=[self.objet.pk])


class BlocageModifier(BlocageCreer):
    def get(self, request, *args, **kwargs):
        self._verifier_perimetre(kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._verifier_perimetre(kwargs["pk"])
        return super().post(request, *args, **kwargs)

    def _verifier_perimetre(self, pk: int) -> None:
        self.objet = get_object_or_404(PointDeBlocage.objects.select_related("region"), pk=pk)
        if not selectors.peut_modifier_blocage(self.request.user, self.objet.region):
            raise PermissionDenied("Ce point de blocage n'est pas dans votre périmètre.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(point=self.objet, **kwargs)


# --- Good practices --------------------------------------------------------------------------------------------------


class BonnesPratiques(AccesMixin, ListView):
    permissions_requises = ("suivi.view_bonnepratique",)
    template_name = "suivi/comite/bonnes_pratiques.html"
    context_object_name = "pratiques"
    paginate_by = 30

    def get_queryset(self):
        self.filtres = RechercheBonnesPratiquesForm(self.request.GET or None)
        criteres = self.filtres.cleaned_data if self.filtres.is_valid() else {}
        return selectors.bonnes_pratiques_chercher(**criteres)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filtres=self.filtres, **kwargs)


class BonnePratiqueDetail(AccesMixin, DetailView):
    permissions_requises = ("suivi.view_bonnepratique",)
    template_name = "suivi/comite/bonne_pratique.html"
    context_object_name = "pratique"

    def get_queryset(self):
        return BonnePratique.objects.select_related("region", "organisme")


class BonnePratiqueCreer(AccesMixin, EnregistrementMixin, FormView):
    permissions_requises = ("suivi.gerer_comite",)
    template_name = "suivi/comite/bonne_pratique_form.html"
    form_class = BonnePratiqueForm
    message_succes = "La bonne pratique est enregistrée."
    objet = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.objet}

    def enregistrer(self, form):
        return services.bonne_pratique_enregistrer(acting_user=self.request.user, pratique=self.objet,
                                                   **form.cleaned_data)

    def get_success_url(self):
        return reverse("suivi:bonne-pratique", args=[self.objet.pk])


class BonnePratiqueModifier(BonnePratiqueCreer):
    @cached_property
    def objet(self):
        return get_object_or_404(BonnePratique, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(pratique=self.objet, **kwargs)


# --- Regional diagnostics --------------------------------------------------------------------------------------------


def _annee_du_pacte(valeur, defaut: int) -> int:
    try:
        annee = int(valeur)
    except (TypeError, ValueError):
        return defaut
    return annee if annee in selectors.ANNEES_PACTE else defaut


class Diagnostics(AccesMixin, TemplateView):
    permissions_requises = ("suivi.view_diagnosticregional",)
    template_name = "suivi/comite/diagnostics.html"

    def get_context_data(self, **kwargs):
        annee = _annee_du_pacte(self.request.GET.get("annee"), selectors.ANNEES_PACTE[1])
        modifiables = set(selectors.diagnostic_regions_modifiables(self.request.user).values_list("pk", flat=True))
        lignes = selectors.diagnostics_de_l_annee(annee)
        for ligne in lignes:
            ligne["modifiable"] = ligne["region"].pk in modifiables
        autres = Region.objects.filter(pk__in=modifiables).exclude(pk__in=[ligne["region"].pk for ligne in lignes])
        return super().get_context_data(annee=annee, annees=selectors.ANNEES_PACTE, lignes=lignes,
                                        autres_regions=autres, **kwargs)


class DiagnosticMixin:
    def dispatch(self, request, *args, **kwargs):
        if kwargs["annee"] not in selectors.ANNEES_PACTE:
            raise Http404("Le pacte couvre les années 2013 à 2015.")
        self.region = get_object_or_404(Region, code=kwargs["code"])
        self.annee = kwargs["annee"]
        return super().dispatch(request, *args, **kwargs)


class DiagnosticDetail(AccesMixin, DiagnosticMixin, TemplateView):
    permissions_requises = ("suivi.view_diagnosticregional",)
    template_name = "suivi/comite/diagnostic.html"

    def get_context_data(self, **kwargs):
        diagnostic = selectors.diagnostic_trouver(region=self.region, annee=self.annee)
        sections = [(DiagnosticRegional._meta.get_field(nom).verbose_name, getattr(diagnostic, nom, ""))
                    for nom in services.SECTIONS_DIAGNOSTIC]
        return super().get_context_data(**{
            **kwargs, "region": self.region, "annee": self.annee, "diagnostic": diagnostic, "sections": sections,
            "peut_modifier": selectors.peut_modifier_diagnostic(self.request.user, self.region)})


class DiagnosticModifier(AccesMixin, DiagnosticMixin, EnregistrementMixin, FormView):
    """A referent edits its own region's diagnostic; another region's answers 403, form or not."""

    permissions_requises = ("suivi.modifier_diagnostic",)
    template_name = "suivi/comite/diagnostic_form.html"
    form_class = DiagnosticForm
    message_succes = "Le diagnostic est enregistré."

    def get(self, request, *args, **kwargs):
        self._verifier_perimetre()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._verifier_perimetre()
        return super().post(request, *args, **kwargs)

    def _verifier_perimetre(self):
        if not selectors.peut_modifier_diagnostic(self.request.user, self.region):
            raise PermissionDenied(f"Le diagnostic de la région {self.region} n'est pas dans votre périmètre.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(),
                "instance": selectors.diagnostic_trouver(region=self.region, annee=self.annee)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(region=self.region, annee=self.annee, **kwargs)

    def enregistrer(self, form):
        return services.diagnostic_enregistrer(acting_user=self.request.user, region=self.region, annee=self.annee,
                                               **form.cleaned_data)

    def get_success_url(self):
        return reverse("suivi:diagnostic", args=[self.annee, self.region.code])


# --- Annual report ---------------------------------------------------------------------------------------------------


class Rapports(AccesMixin, ListView):
    permissions_requises = ("suivi.voir_tableaux_de_bord",)
    template_name = "suivi/rapport/liste.html"
    context_object_name = "rapports"
    paginate_by = 30

    def get_queryset(self):
        return selectors.rapports_liste()

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=RapportForm(), **kwargs)


class RapportProduire(AccesMixin, FormView):
    permissions_requises = ("suivi.produire_rapport",)
    template_name = "suivi/rapport/produire.html"
    form_class = RapportForm

    def form_valid(self, form):
        rapport = services.rapport_annuel_demander(acting_user=self.request.user, annee=form.cleaned_data["annee"])
        messages.info(self.request, f"Le rapport annuel {rapport.annee} est en cours de production.")
        return redirect("suivi:rapport", pk=rapport.pk)


class RapportDetail(AccesMixin, DetailView):
    permissions_requises = ("suivi.voir_tableaux_de_bord",)
    template_name = "suivi/rapport/detail.html"
    context_object_name = "rapport"

    def get_queryset(self):
        return RapportAnnuel.objects.select_related("cree_par", "travail")

    def get_context_data(self, **kwargs):
        en_cours = self.object.statut in (StatutTravail.EN_ATTENTE, StatutTravail.EN_COURS)
        return super().get_context_data(en_cours=en_cours, **kwargs)


class RapportPdf(AccesMixin, DetailView):
    permissions_requises = ("suivi.voir_tableaux_de_bord",)

    def get_queryset(self):
        return RapportAnnuel.objects.filter(statut=StatutTravail.TERMINE).exclude(fichier="")

    def get(self, request, *args, **kwargs):
        rapport = self.get_object()
        with rapport.fichier.open("rb") as fichier:  # a few hundred kilobytes: read at once, closed at once
            contenu = fichier.read()
        nom = f"rapport-annuel-{rapport.annee}-comite-de-suivi.pdf"
        return HttpResponse(contenu, content_type="application/pdf",
                            headers={"Content-Disposition": f'attachment; filename="{nom}"'})
