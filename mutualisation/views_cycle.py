"""Pages of the campaign's life (docs/cycle-campagne.md) and of its documents (docs/documents.md), and the audit
pages (docs/audit.md): thin adapters over mutualisation.services.cycle, mutualisation.documents and the selectors.

Each action (approve, notify, close, reopen) answers GET with a confirmation page and POST with the service call,
then goes back to the campaign page with a French message (django.contrib.messages, shown as DSFR alerts)."""

import datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from mutualisation import selectors
from mutualisation.documents import bilan, lots
from mutualisation.enums import StatutCalcul, StatutCampagne
from mutualisation.services.campagne import ErreurCampagne
from mutualisation.services.cycle import (
    APPROBATIONS_REQUISES,
    calcul_approuver,
    campagne_clore,
    campagne_notifier,
    campagne_reouvrir,
)
from mutualisation.views import AnneeMixin, _statut_campagne
from pacte import formats
from pacte import selectors as pacte_selectors
from pacte.acces import AccesMixin
from pacte.enums import Role, StatutTravail
from pacte.models import Travail

# --- The campaign page's cycle section -----------------------------------------------------------------------------


def _dernier_calcul_officiel(annee: int):
    """The year's latest run that is not a simulation, whatever its status: the only one that may be approved."""
    return (selectors.calculs_tous().filter(campagne__annee=annee, simulation=False)
            .order_by("-created_at", "-pk").first())


def _motif_non_approuvable(user, calcul, approbations, statut: str) -> str:
    """Why this user cannot approve this run now ("" when they can); the service says the same on POST."""
    if user.role != Role.COMMISSION:
        return "Seuls les membres de la commission de mutualisation approuvent un calcul."
    if statut in selectors.STATUTS_FIGES:
        return f"L'année est déjà {StatutCampagne(statut).label.lower()}."
    if calcul is None:
        return "Aucun calcul à approuver."
    if calcul.statut != StatutCalcul.TERMINE:
        return f"Le calcul n° {calcul.pk} n'est pas terminé ({calcul.get_statut_display().lower()})."
    if calcul.lance_par_id == user.pk:
        return (f"Vous avez lancé le calcul n° {calcul.pk} : un autre membre de la commission doit l'approuver "
                "(règle des quatre yeux).")
    if any(a.membre_id == user.pk for a in approbations):
        return f"Vous avez déjà approuvé le calcul n° {calcul.pk}."
    return ""


def dernier_lot_avis(annee: int) -> Travail | None:
    """The year's latest notices job, whatever its status (the progress bar follows it)."""
    return (Travail.objects.filter(nature=lots.NATURE, parametres__annee=annee)
            .order_by("-created_at", "-pk").first())


def contexte_cycle(user, annee: int, campagne) -> dict:
    """What the campaign page shows of the campaign's life: the timeline, the approvals of the latest run, the
    actions the user may take (or why not), the notices' job and the documents."""
    statut = campagne.statut if campagne else StatutCampagne.OUVERTE
    calcul = _dernier_calcul_officiel(annee)
    approbations = ([a for a in selectors.approbations_du_calcul(calcul) if a.annulee_par_reouverture_id is None]
                    if calcul else [])
    lot = dernier_lot_avis(annee)
    return {
        "chronologie": selectors.campagne_chronologie(annee),
        "calcul_a_approuver": calcul,
        "approbations": approbations,
        "approbations_requises": APPROBATIONS_REQUISES,
        "motif_non_approuvable": _motif_non_approuvable(user, calcul, approbations, statut)
        if user.has_perm("mutualisation.approuver_calcul") else None,
        "peut_notifier": statut == StatutCampagne.VALIDEE and user.has_perm("mutualisation.notifier_campagne"),
        "peut_clore": statut == StatutCampagne.NOTIFIEE and user.has_perm("mutualisation.clore_campagne"),
        "peut_rouvrir": statut in selectors.STATUTS_FIGES and user.has_perm("mutualisation.reouvrir_campagne")
        and (user.role == Role.ADMINISTRATEUR or user.is_superuser),
        "calcul_valide": selectors.calcul_valide(annee),
        "lot_avis": lot,
        "lot_en_cours": lot is not None and lot.statut in (StatutTravail.EN_ATTENTE, StatutTravail.EN_COURS),
        "lot_termine": lots.dernier_lot(annee),
        "reouverture_form": ReouvertureForm(),
    }


# --- Actions -------------------------------------------------------------------------------------------------------


class ReouvertureForm(forms.Form):
    motif = forms.CharField(label="Motif de la réouverture", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="Obligatoire : il figure dans la chronologie et la piste d'audit.")


class ActionCampagne(AccesMixin, AnneeMixin, TemplateView):
    """GET: a confirmation page; POST: the service, then back to the campaign page with its message."""

    template_name = "mutualisation/cycle_confirmer.html"
    titre = ""
    explication = ""
    bouton = ""
    ancre = "#cycle"

    def get_context_data(self, **kwargs):
        statut = _statut_campagne(selectors.campagne_de_l_annee(self.annee))
        return super().get_context_data(statut=statut, titre=self.titre.format(annee=self.annee),
                                        explication=self.explication.format(annee=self.annee),
                                        bouton=self.bouton, **kwargs)

    def executer(self, request) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            message = self.executer(request)
        except ErreurCampagne as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, message)
        return redirect(self.url_campagne(self.ancre))


class CalculApprouver(ActionCampagne):
    permissions_requises = ("mutualisation.approuver_calcul",)
    titre = "Approuver le dernier calcul {annee}"
    explication = ("Deux membres distincts de la commission doivent approuver le même calcul ; celui qui l'a lancé "
                   "ne peut pas l'approuver. À la deuxième approbation, l'année {annee} est validée et figée.")
    bouton = "Approuver le calcul"

    def get_context_data(self, **kwargs):
        calcul = _dernier_calcul_officiel(self.annee)
        return super().get_context_data(calcul=calcul, **kwargs)

    def executer(self, request) -> str:
        calcul_id = request.POST.get("calcul", "")
        if not calcul_id.isdigit():
            raise ErreurCampagne("Aucun calcul désigné.")
        calcul_approuver(acting_user=request.user, calcul_id=int(calcul_id))
        calcul = selectors.calculs_tous().get(pk=calcul_id)
        if calcul.valide:
            return (f"Calcul n° {calcul.pk} approuvé : deuxième approbation, l'année {self.annee} est validée ; "
                    "ses données, son barème et ses résultats sont figés.")
        return f"Calcul n° {calcul.pk} approuvé (1/{APPROBATIONS_REQUISES}) : un autre membre doit l'approuver."


class CampagneNotifier(ActionCampagne):
    permissions_requises = ("mutualisation.notifier_campagne",)
    titre = "Notifier la campagne {annee}"
    explication = ("La campagne passe à « notifiée » et les avis de versement et d'appel de fonds de chaque "
                   "organisme, l'échéancier pour la Caisse des dépôts et leur archive sont générés en arrière-plan.")
    bouton = "Notifier et générer les avis"
    ancre = "#avis"

    def executer(self, request) -> str:
        campagne_notifier(acting_user=request.user, annee=self.annee)
        lot = dernier_lot_avis(self.annee)  # read after the commit: an eager worker may already have finished it
        if lot is not None and lot.statut == StatutTravail.TERMINE:
            return f"Campagne {self.annee} notifiée : les avis sont générés et prêts à télécharger."
        if lot is not None and lot.statut == StatutTravail.ECHEC:
            return (f"Campagne {self.annee} notifiée, mais la génération des avis a échoué : "
                    f"{lot.message or 'voir la section des avis'}.")
        return (f"Campagne {self.annee} notifiée : la génération des avis est lancée, "
                "suivez son avancement dans la barre de progression.")


class CampagneClore(ActionCampagne):
    permissions_requises = ("mutualisation.clore_campagne",)
    titre = "Clore la campagne {annee}"
    explication = "La campagne passe à « close » : le bilan annuel {annee} est établi."
    bouton = "Clore la campagne"

    def executer(self, request) -> str:
        campagne_clore(acting_user=request.user, annee=self.annee)
        return f"Campagne {self.annee} close."


class CampagneReouvrir(ActionCampagne):
    permissions_requises = ("mutualisation.reouvrir_campagne",)
    titre = "Rouvrir l'année {annee}"
    explication = ("L'année repasse à « calculée » : le gel est levé, les approbations du calcul validé restent "
                   "comme historique et deux membres de la commission devront approuver de nouveau.")
    bouton = "Rouvrir l'année"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ReouvertureForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = ReouvertureForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def executer(self, request) -> str:
        campagne_reouvrir(acting_user=request.user, annee=self.annee, motif=request.POST.get("motif", ""))
        return f"Année {self.annee} rouverte : elle est de nouveau « calculée »."


class AvisEtat(AccesMixin, View):
    """What the notices' progress bar polls."""

    permissions_requises = ("mutualisation.voir_resultats",)

    def get(self, request, pk):
        travail = get_object_or_404(Travail.objects.filter(nature=lots.NATURE), pk=pk)
        return JsonResponse({
            "id": travail.pk, "statut": travail.statut, "statut_libelle": travail.get_statut_display(),
            "avancement": travail.pourcentage, "message": travail.message,
            "termine": travail.statut in (StatutTravail.TERMINE, StatutTravail.ECHEC),
        })


# --- Documents -----------------------------------------------------------------------------------------------------


def _piece_jointe(chemin, type_contenu: str) -> FileResponse:
    return FileResponse(chemin.open("rb"), as_attachment=True, filename=chemin.name, content_type=type_contenu)


class AvisPdf(AccesMixin, AnneeMixin, View):
    """One organism's notice from the year's latest batch; an organism user gets only its own (404 otherwise)."""

    permissions_alternatives = ("mutualisation.voir_resultats", "mutualisation.voir_avis")

    def get(self, request, annee, siren):
        if not selectors.voit_l_organisme(request.user, siren):
            raise Http404("Avis introuvable.")
        chemin = lots.fichier_avis(self.annee, siren)
        if chemin is None:
            raise Http404(f"Aucun avis {self.annee} pour le SIREN {siren}.")
        return _piece_jointe(chemin, "application/pdf")


class AvisZip(AccesMixin, AnneeMixin, View):
    permissions_requises = ("mutualisation.voir_resultats",)

    def get(self, request, annee):
        chemin = lots.fichier_zip(self.annee)
        if chemin is None:
            raise Http404(f"Les avis {self.annee} n'ont pas été générés.")
        return _piece_jointe(chemin, "application/zip")


class Echeancier(AccesMixin, AnneeMixin, View):
    """The payment and call-for-funds schedule of the year's latest batch (the one the notices announce)."""

    permissions_requises = ("mutualisation.voir_resultats",)
    types = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

    def get(self, request, annee, extension):
        if extension not in self.types:
            raise Http404("Format inconnu.")
        chemin = lots.fichier_echeancier(self.annee, extension)
        if chemin is None:
            raise Http404(f"L'échéancier {self.annee} n'a pas été généré.")
        return _piece_jointe(chemin, self.types[extension])


class Bilan(AccesMixin, AnneeMixin, TemplateView):
    """The bilan's figures and charts on a page, from the validated run only (a clear message otherwise)."""

    permissions_requises = ("mutualisation.voir_resultats",)
    template_name = "mutualisation/bilan.html"

    def get_context_data(self, **kwargs):
        calcul = selectors.calcul_valide(self.annee)
        donnees = bilan.donnees_bilan(calcul) if calcul else None
        return super().get_context_data(
            statut=_statut_campagne(selectors.campagne_de_l_annee(self.annee)), bilan=donnees,
            graphiques=bilan.graphiques_bilan(donnees) if donnees else None, **kwargs)


class BilanPdf(AccesMixin, AnneeMixin, View):
    permissions_requises = ("mutualisation.voir_resultats",)

    def get(self, request, annee):
        calcul = selectors.calcul_valide(self.annee)
        if calcul is None:
            raise Http404(f"L'année {self.annee} n'a pas de calcul validé : pas de bilan.")
        nom = f"bilan-mutualisation-{self.annee}.pdf"
        return HttpResponse(bilan.bilan_pdf(calcul), content_type="application/pdf",
                            headers={"Content-Disposition": f'attachment; filename="{nom}"'})


# --- Audit ---------------------------------------------------------------------------------------------------------

LIGNES_PAR_PAGE = 100


def _valeur(valeur, champ=None) -> str:
    """An audited value as French text: a choice's label, dates and times, amounts in euros (two decimals) or
    numbers, yes / no; ∅ for nothing. ``champ``: the model field it was stored from, when known."""
    if valeur is None or valeur == "":
        return "∅"
    if champ is not None and champ.choices:
        return str(dict(champ.flatchoices).get(valeur, valeur))
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime.datetime):
        return timezone.localtime(valeur).strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(valeur, datetime.date):
        return formats.format_date(valeur)
    if isinstance(valeur, Decimal):
        decimales = getattr(champ, "decimal_places", None)
        if decimales == 2:  # the amounts (MONTANT); rates and weights keep their four decimals
            return formats.format_euros(valeur)
        return formats.format_nombre(valeur, decimales if decimales is not None else 2)
    return str(valeur)


# Fields left with Django's default label (their name, unaccented): their French label here, no migration needed.
LIBELLES_CHAMPS = {
    "annulee_par_reouverture": "annulée par la réouverture",
    "empreinte_entrees": "empreinte des entrées",
    "lance_par": "lancé par",
    "reouverture": "réouverture",
}


def _libelle_champ(champ, cle: str) -> str:
    if champ is None:
        return cle
    return LIBELLES_CHAMPS.get(champ.name) or str(champ.verbose_name)


def _champs_du_modele(modele) -> dict:
    """A model's fields by stored column name (``calcul_id`` → the ``calcul`` field)."""
    if modele is None:
        return {}
    return {champ.attname: champ for champ in modele._meta.concrete_fields}


def _champs(ligne) -> list[dict]:
    """Before → after, field by field (a creation has only « after », a deletion only « before »), each field by its
    French label (verbose_name) rather than its column."""
    champs = _champs_du_modele(ligne.modele)
    cles = list(dict.fromkeys([*ligne.avant, *ligne.apres]))
    lignes = []
    for cle in cles:
        champ = champs.get(cle)
        lignes.append({"champ": _libelle_champ(champ, cle),
                       "avant": _valeur(ligne.avant.get(cle), champ), "apres": _valeur(ligne.apres.get(cle), champ),
                       "a_avant": cle in ligne.avant, "a_apres": cle in ligne.apres})
    return lignes


class Audit(AccesMixin, TemplateView):
    permissions_requises = ("mutualisation.voir_audit",)
    template_name = "mutualisation/audit.html"

    def lignes(self) -> list:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        page = Paginator(self.lignes(), LIGNES_PAR_PAGE).get_page(self.request.GET.get("page"))
        lignes = [{"ligne": ligne, "champs": _champs(ligne)} for ligne in page]
        return super().get_context_data(page_obj=page, lignes=lignes, **kwargs)


class AuditCampagne(AnneeMixin, Audit):
    def lignes(self) -> list:
        return selectors.audit_de_la_campagne(self.annee)

    def get_context_data(self, **kwargs):
        return super().get_context_data(titre=f"Piste d'audit de la campagne {self.annee}", **kwargs)


class AuditOrganisme(Audit):
    def lignes(self) -> list:
        return selectors.audit_de_l_organisme(self.organisme.siren)

    def get_context_data(self, **kwargs):
        self.organisme = get_object_or_404(pacte_selectors.organismes_visibles(self.request.user),
                                           siren=self.kwargs["siren"])
        return super().get_context_data(organisme=self.organisme,
                                        titre=f"Piste d'audit : {self.organisme.raison_sociale}", **kwargs)
