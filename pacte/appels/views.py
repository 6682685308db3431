"""Pages of the shared calls-for-projects engine; each app mounts them with its dispositif (pacte/appels/urls.py)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from pacte.acces import AccesMixin
from pacte.appels import exports, selectors, services, workflow
from pacte.appels.enums import StatutCandidature
from pacte.appels.forms import CommentaireForm, DecisionForm, NotesForm, PieceForm, TransitionForm, VersementForm
from pacte.appels.regles import ErreurAppel
from pacte.models_appels import AppelAProjets, Candidature

PAR_PAGE = 50  # rows per page of the engine's and the apps' lists


class DispositifMixin:
    dispositif = ""
    espace = ""  # URL namespace of the app

    def url(self, nom: str, *args) -> str:
        return reverse(f"{self.espace}:{nom}", args=args)

    def get_context_data(self, **kwargs):
        return super().get_context_data(espace=self.espace, dispositif=self.dispositif, **kwargs)


class AppelDetail(DispositifMixin, AccesMixin, TemplateView):
    """A call: its pipeline by status, the envelope consumed / committed / paid, and the files the user may see."""

    template_name = "appels/appel.html"

    def get_context_data(self, **kwargs):
        appel = get_object_or_404(AppelAProjets, pk=self.kwargs["pk"], dispositif=self.dispositif)
        candidatures = selectors.candidatures_visibles(self.request.user)
        page_obj = Paginator(candidatures.filter(appel=appel).order_by("id"), PAR_PAGE).get_page(
            self.request.GET.get("page"))
        return super().get_context_data(
            appel=appel, pipeline=selectors.pipeline(appel, candidatures),
            candidatures=page_obj.object_list, page_obj=page_obj, paginator=page_obj.paginator,
            consommation=self.consommation(appel), **kwargs)

    def consommation(self, appel):
        return selectors.consommation_appel(appel)


class Deposer(DispositifMixin, AccesMixin, FormView):
    permissions_requises = ("pacte.deposer_candidature",)
    template_name = "appels/deposer.html"
    service = None  # the app's projet_deposer

    def dispatch(self, request, *args, **kwargs):
        self.appel = get_object_or_404(AppelAProjets, pk=kwargs["pk"], dispositif=self.dispositif)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(appel=self.appel, **kwargs)

    def form_valid(self, form):
        organisme = self.request.user.organisme
        if organisme is None:
            form.add_error(None, "Seul un compte d'organisme dépose une candidature, pour son organisme.")
            return self.form_invalid(form)
        try:
            candidature = type(self).service(acting_user=self.request.user, appel=self.appel, organisme=organisme,
                                             **form.donnees())
        except ErreurAppel as erreur:
            form.add_error(None, str(erreur))
            return self.form_invalid(form)
        messages.success(self.request, f"Candidature {candidature.numero} déposée.")
        return redirect(self.url("candidature", candidature.pk))


class CandidatureDetail(DispositifMixin, AccesMixin, TemplateView):
    """One file: its data, history, documents, comments, scores, decision, payments — and the actions the user may
    take, each posted here and applied by a service (which refuses with its reason)."""

    permissions_requises = ("pacte.consulter_candidatures",)
    template_name = "appels/candidature.html"
    gabarit_projet = ""

    def candidature(self) -> Candidature:
        try:
            candidature = selectors.candidature_detail(self.request.user, self.kwargs["pk"])
        except Candidature.DoesNotExist:
            raise Http404("Candidature introuvable.") from None
        if candidature.appel.dispositif != self.dispositif:
            raise Http404("Candidature introuvable.")
        return candidature

    def get_context_data(self, **kwargs):
        candidature = self.candidature()
        user = self.request.user
        voit_interne = user.has_perm(workflow.INSTRUIRE) or user.has_perm(workflow.DECIDER)
        commentaires = [c for c in candidature.commentaires.all() if voit_interne or not c.interne]
        decideur = user.has_perm(workflow.DECIDER) and candidature.statut == StatutCandidature.INSTRUITE
        noteur = user.has_perm("pacte.noter_candidature") and candidature.statut in workflow.STATUTS_NOTATION
        criteres = list(candidature.appel.criteres.all())
        contexte = {
            "candidature": candidature, "gabarit_projet": self.gabarit_projet, "commentaires": commentaires,
            "actions": [t for t in selectors.actions_possibles(user, candidature) if not t.decision],
            "decision_form": kwargs.pop("decision_form", None) or (DecisionForm() if decideur else None),
            "notes_form": kwargs.pop("notes_form", None) or (NotesForm(criteres=criteres) if noteur else None),
            "moyennes": selectors.moyennes(candidature) if voit_interne else None,
            "commentaire_form": CommentaireForm(), "piece_form": PieceForm(),
            "versement_form": VersementForm() if user.has_perm(workflow.GERER) else None,
            "voit_interne": voit_interne, "peut_joindre": self._peut_joindre(candidature),
        }
        return super().get_context_data(**contexte, **self.contexte_projet(candidature), **kwargs)

    def _peut_joindre(self, candidature) -> bool:
        user = self.request.user
        if user.has_perm(workflow.INSTRUIRE):
            return True
        return user.has_perm(workflow.DEPOSER) and candidature.organisme_id == user.organisme_id

    def contexte_projet(self, candidature) -> dict:
        return {}

    def post(self, request, *args, **kwargs):
        candidature = self.candidature()
        action = request.POST.get("action", "")
        traitement = getattr(self, f"action_{action}", None)
        if traitement is None:
            messages.error(request, "Action inconnue.")
            return redirect(request.path)
        try:
            retour = traitement(candidature)
        except ErreurAppel as erreur:
            messages.error(request, str(erreur))
        else:
            if isinstance(retour, HttpResponse):
                return retour
            if retour:
                messages.success(request, retour)
        return redirect(request.path)

    def _formulaire(self, classe, **options):
        form = classe(self.request.POST, self.request.FILES, **options)
        if not form.is_valid():
            erreurs = " ".join(str(e) for liste in form.errors.values() for e in liste)
            raise ErreurAppel(f"Formulaire incomplet : {erreurs}")
        return form.cleaned_data if not options else form

    def action_transition(self, candidature):
        donnees = self._formulaire(TransitionForm)
        candidature = services.candidature_transitionner(acting_user=self.request.user, candidature=candidature,
                                                         vers=donnees["vers"], motif=donnees["motif"])
        return f"Candidature « {candidature.get_statut_display()} »."

    def action_decider(self, candidature):
        donnees = self._formulaire(DecisionForm)
        decision = services.candidature_decider(acting_user=self.request.user, candidature=candidature,
                                                retenue=donnees["retenue"], motif=donnees["motif"],
                                                montant=donnees["montant"])
        return f"Décision enregistrée : {decision.get_nature_display().lower()}."

    def action_noter(self, candidature):
        form = self._formulaire(NotesForm, criteres=list(candidature.appel.criteres.all()))
        services.notes_enregistrer(acting_user=self.request.user, candidature=candidature, notes=form.notes())
        return "Notes enregistrées."

    def action_commenter(self, candidature):
        donnees = self._formulaire(CommentaireForm)
        services.commentaire_ajouter(acting_user=self.request.user, candidature=candidature, texte=donnees["texte"],
                                     interne=donnees["interne"])
        return "Commentaire ajouté."

    def action_joindre(self, candidature):
        fichier = self._formulaire(PieceForm)["fichier"]
        if fichier.size > services.TAILLE_MAX_PIECE:
            raise ErreurAppel("Le fichier dépasse la taille maximale de 10 Mo.")
        services.piece_jointe_ajouter(acting_user=self.request.user, candidature=candidature, nom=fichier.name,
                                      contenu=fichier.read())
        return f"Pièce « {fichier.name} » ajoutée."

    def action_verser(self, candidature):
        donnees = self._formulaire(VersementForm)
        versement = services.versement_enregistrer(acting_user=self.request.user, candidature=candidature,
                                                   nature=donnees["nature"], montant=donnees["montant"],
                                                   date_versement=donnees["date_versement"])
        return f"{versement.get_nature_display()} enregistré."


class ExportAppel(DispositifMixin, AccesMixin, TemplateView):
    permissions_requises = ("pacte.voir_candidatures",)
    format = "csv"

    def get(self, request, *args, **kwargs):
        appel = get_object_or_404(AppelAProjets, pk=kwargs["pk"], dispositif=self.dispositif)
        candidatures = selectors.candidatures_visibles(request.user).filter(appel=appel)
        if self.format == "xlsx":
            contenu = exports.export_xlsx(appel, candidatures)
            type_mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            contenu, type_mime = exports.export_csv(candidatures), "text/csv; charset=utf-8"
        reponse = HttpResponse(contenu, content_type=type_mime)
        reponse["Content-Disposition"] = f'attachment; filename="candidatures-appel-{appel.pk}.{self.format}"'
        return reponse


class LettreDecision(DispositifMixin, AccesMixin, TemplateView):
    """The PDF decision letter of a decided application."""

    permissions_requises = ("pacte.consulter_candidatures",)

    def get(self, request, *args, **kwargs):
        from pacte.appels.lettre import lettre_pdf

        candidature = get_object_or_404(selectors.candidatures_visibles(request.user), pk=kwargs["pk"],
                                        appel__dispositif=self.dispositif)
        decision = candidature.decisions.order_by("-horodatage", "-id").first()
        if decision is None:
            raise Http404("Aucune décision n'a encore été prise sur cette candidature.")
        reponse = HttpResponse(lettre_pdf(candidature, decision), content_type="application/pdf")
        reponse["Content-Disposition"] = f'inline; filename="decision-{candidature.numero}.pdf"'
        return reponse
