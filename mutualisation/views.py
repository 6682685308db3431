"""Pages of the mutualisation: thin adapters over mutualisation.selectors and mutualisation.services."""

import datetime
import secrets
from decimal import Decimal

from django.contrib import messages
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from mutualisation import explications, exports, selectors
from mutualisation.documents import lots
from mutualisation.enums import Sens, StatutCalcul, StatutCampagne, TypeImport
from mutualisation.forms import AjustementForm, BaremeForm, ConfirmationImportForm, ImportForm
from mutualisation.models import ResultatOrganisme
from mutualisation.services import imports
from mutualisation.services.campagne import (
    ErreurCampagne,
    ajustement_enregistrer,
    bareme_modifier,
    calcul_lancer,
)
from pacte import formats
from pacte import selectors as pacte_selectors
from pacte.acces import AccesMixin
from pacte.enums import Famille

CLE_APERCUS = "mutualisation_imports_apercus"


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


# --- Results -------------------------------------------------------------------------------------------------------

FILTRES_RESULTATS = ("region", "famille", "sens", "recherche")


def filtres_resultats(parametres) -> dict[str, str]:
    filtres = {cle: parametres.get(cle, "").strip() for cle in FILTRES_RESULTATS}
    filtres["tri"] = selectors.tri_resultats(parametres.get("tri", ""))
    return filtres


# (sort key or "", header, is an amount) of the results table, in display order.
COLONNES_RESULTATS = (
    ("siren", "SIREN", False), ("raison_sociale", "Raison sociale (région)", False),
    ("aide_production", "Production", True), ("aide_rehabilitation", "Réhabilitation", True),
    ("aide_restructuration", "Restructuration", True), ("ajustements", "Ajustements", True),
    ("aide_totale", "Aide totale", True), ("contribution", "Contribution", True), ("solde", "Solde", True),
    ("", "Sens", False),
)


def colonnes_triables(tri: str) -> list[dict]:
    """Headers of the results table with their aria-sort state and the sort a click asks for."""
    tri = tri or "siren"
    colonnes = []
    for cle, libelle, montant in COLONNES_RESULTATS:
        etat = "ascending" if tri == cle else "descending" if tri == f"-{cle}" else ""
        colonnes.append({"cle": cle, "libelle": libelle, "montant": montant, "aria_sort": etat,
                         "tri_suivant": f"-{cle}" if etat == "ascending" else cle})
    return colonnes


class Resultats(AccesMixin, AnneeMixin, ListView):
    """The results table of the year's latest run, 50 lines a page.

    The table is the same for every reader of one scope: it is rendered once per run, scope and address (filters,
    sort, page; selectors.cle_de_cache_des_resultats) and kept in the shared cache with the breadcrumb. Only the
    shell (header with the reader's name, navigation, messages) is rendered per request, and a hit reads only the
    run's id and date (docs/performances.md, « le coût par requête (suite) »).
    """

    permissions_requises = ("mutualisation.voir_resultats",)
    template_name = "mutualisation/resultats.html"
    template_tableau = "mutualisation/_resultats_tableau.html"
    template_fil = "mutualisation/_fil.html"
    context_object_name = "resultats"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        # A hit reads only the run's id and date (the key), not its row; a miss then reads that run's row.
        version = selectors.version_du_dernier_calcul(self.annee)
        cle = selectors.cle_de_cache_des_resultats(request.user, version, request.get_full_path())
        contenu = cache.get(cle)
        if contenu is None:
            self.calcul = selectors.calcul_de_la_version(version)
            self.object_list = self.get_queryset()
            contenu = {"fil": render_to_string(self.template_fil, {"annee": self.annee, "courant": "Résultats"}),
                       "tableau": render_to_string(self.template_tableau, self.get_context_data(), request)}
            cache.set(cle, contenu, selectors.DUREE_CACHE_RESULTATS)
        return render(request, self.template_name, {"annee": self.annee, **contenu})

    def get_queryset(self):
        if self.calcul is None:
            return ResultatOrganisme.objects.none()
        return selectors.resultats_filtrer(self.request.user, self.calcul, **filtres_resultats(self.request.GET))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            calcul=self.calcul,
            filtres={cle: self.request.GET.get(cle, "") for cle in (*FILTRES_RESULTATS, "tri")},
            regions=pacte_selectors.regions_avec_departements(),
            familles=Famille.choices,
            sens=Sens.choices,
            colonnes=colonnes_triables(self.request.GET.get("tri", "")),
            **kwargs,
        )


class Export(AccesMixin, AnneeMixin, View):
    """The latest finished run of the year, as an attachment."""

    permissions_requises = ("mutualisation.voir_resultats",)
    extension = ""
    type_contenu = ""

    def produire(self, calcul) -> bytes:
        raise NotImplementedError

    def get(self, request, annee):
        calcul = selectors.dernier_calcul(self.annee)
        if calcul is None:
            raise Http404(f"Aucun calcul terminé pour {self.annee}.")
        nom = f"mutualisation-{self.annee}-calcul-{calcul.pk}.{self.extension}"
        return HttpResponse(self.produire(calcul), content_type=self.type_contenu,
                            headers={"Content-Disposition": f'attachment; filename="{nom}"'})


class ExportCsv(Export):
    extension = "csv"
    type_contenu = "text/csv; charset=utf-8"

    def produire(self, calcul) -> bytes:
        return exports.export_csv(calcul)


class ExportXlsx(Export):
    extension = "xlsx"
    type_contenu = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def produire(self, calcul) -> bytes:
        return exports.export_xlsx(calcul)


def _dates(prets: list[dict]) -> list[dict]:
    return [{**p, "date_signature": datetime.date.fromisoformat(p["date_signature"])} for p in prets]


def explication_affichable(explication: dict) -> dict:
    """The stored explanation (mutualisation/serialisation.py) with real dates for the templates."""
    return {
        **explication,
        "operations_production": [
            {**o, "prets": _dates(o["prets"]), "logements": o["logements_plus"] + o["logements_plai"]}
            for o in explication.get("operations_production", [])
        ],
        "prets_rehabilitation": _dates(explication.get("prets_rehabilitation", [])),
        "hors_champ": [
            {**h, "date_signature": datetime.date.fromisoformat(h["date_signature"])} if "date_signature" in h else h
            for h in explication.get("hors_champ", [])
        ],
    }


class OrganismeDetail(AccesMixin, AnneeMixin, TemplateView):
    """An organism's mutualisation notice; an organism user reaches only its own (404 otherwise)."""

    permissions_alternatives = ("mutualisation.voir_resultats", "mutualisation.voir_avis")
    template_name = "mutualisation/organisme.html"

    def _resultat(self, organisme) -> dict:
        calcul = selectors.dernier_calcul(self.annee)
        resultat = calcul and selectors.resultat_de_l_organisme(self.request.user, calcul, organisme.siren)
        voit = selectors.voit_l_organisme(self.request.user, organisme.siren)
        detail = explications.detaillee(resultat, calcul) if resultat else None
        return {
            "calcul": calcul,
            "resultat": resultat or None,
            "montant_du_solde": abs(resultat.solde) if resultat else None,
            "voit": voit,
            "avis_pdf": voit and lots.fichier_avis(self.annee, organisme.siren) is not None,
            "explication": explication_affichable(detail.explication) if detail else None,
            "prets_a_jour": detail is None or detail.prets_a_jour,
            "hors_champ_organisme": selectors.hors_champ_de_l_organisme(calcul, organisme.siren)
            if calcul and voit and not resultat else [],
        }

    def get_context_data(self, **kwargs):
        organismes = pacte_selectors.organismes_visibles(self.request.user)
        organisme = get_object_or_404(organismes, siren=self.kwargs["siren"])
        contexte = self._resultat(organisme)
        ajustements = selectors.ajustements_de_l_organisme(self.annee, organisme.siren) if contexte["voit"] else []
        return super().get_context_data(organisme=organisme, ajustements=ajustements, **contexte, **kwargs)


# --- Imports -------------------------------------------------------------------------------------------------------


def _apercu_garder(request, type_fichier: str, nom_fichier: str, contenu: bytes) -> str:
    """Keep an analysed file until the user confirms it; the session holds its token."""
    jeton = secrets.token_urlsafe(24)
    chemin = default_storage.save(f"imports/apercus/{jeton}", ContentFile(contenu))
    apercus = request.session.get(CLE_APERCUS, {})
    apercus[jeton] = {"type_fichier": type_fichier, "nom_fichier": nom_fichier, "chemin": chemin}
    request.session[CLE_APERCUS] = apercus
    return jeton


def _apercu_reprendre(request, jeton: str) -> dict | None:
    apercu = request.session.get(CLE_APERCUS, {}).pop(jeton, None)
    request.session.modified = True
    if apercu is None or not default_storage.exists(apercu["chemin"]):
        return None
    with default_storage.open(apercu["chemin"], "rb") as fichier:
        contenu = fichier.read()
    default_storage.delete(apercu["chemin"])
    return {"type_fichier": apercu["type_fichier"], "nom_fichier": apercu["nom_fichier"], "contenu": contenu}


def _cellule(valeur) -> str:
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime.date):
        return formats.format_date(valeur)
    if isinstance(valeur, Decimal):
        return formats.format_nombre(valeur, 2)
    return "" if valeur is None else str(valeur)


def tableau_apercu(analyse) -> dict:
    """The preview's first cleaned lines as rows of text, in the columns of the file format."""
    colonnes = [c for c in analyse.colonnes if any(c in ligne for ligne in analyse.apercu)] or analyse.colonnes
    lignes = [[ligne.get("ligne"), *(_cellule(ligne.get(c)) for c in colonnes)] for ligne in analyse.apercu]
    return {"colonnes": colonnes, "lignes": lignes}


class Imports(AccesMixin, ListView):
    """Upload (type + file), preview of the analysis, confirmation; below, the past imports."""

    permissions_requises = ("mutualisation.importer_donnees",)
    template_name = "mutualisation/imports.html"
    context_object_name = "imports"
    paginate_by = 20

    def get_queryset(self):
        return selectors.imports_liste()

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ImportForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "confirmer":
            return self._confirmer()
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(form=form)
        type_fichier, fichier = form.cleaned_data["type_fichier"], form.cleaned_data["fichier"]
        contenu = fichier.read()
        try:
            analyse = imports.import_analyser(type_fichier=type_fichier, nom_fichier=fichier.name, contenu=contenu)
        except imports.ErreurImport as erreur:
            form.add_error(None, str(erreur))
            return self._page(form=form)
        jeton = _apercu_garder(request, type_fichier, fichier.name, contenu) if analyse.ok else ""
        return render(request, "mutualisation/import_apercu.html", {
            "analyse": analyse, "tableau": tableau_apercu(analyse), "form": ImportForm(),
            "type_libelle": TypeImport(type_fichier).label,
            "confirmation": ConfirmationImportForm(initial={"jeton": jeton}),
        })

    def _page(self, **contexte):
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(**contexte))

    def _confirmer(self):
        form = ConfirmationImportForm(self.request.POST)
        apercu = _apercu_reprendre(self.request, form.data.get("jeton", "")) if form.is_valid() else None
        if apercu is None:
            messages.error(self.request, "Cet aperçu a expiré ou a déjà été confirmé : déposez le fichier à nouveau.")
            return redirect("mutualisation:imports")
        try:
            import_fichier = imports.import_soumettre(acting_user=self.request.user, **apercu)
        except imports.ErreurImport as erreur:
            messages.error(self.request, str(erreur))
            return redirect("mutualisation:imports")
        return redirect("mutualisation:import", pk=import_fichier.pk)


class ImportDetail(AccesMixin, DetailView):
    permissions_requises = ("mutualisation.importer_donnees",)
    template_name = "mutualisation/import_detail.html"
    context_object_name = "import_fichier"

    def get_queryset(self):
        return selectors.imports_liste()

    def get_context_data(self, **kwargs):
        erreurs = Paginator(self.object.erreurs or [], 100).get_page(self.request.GET.get("page"))
        return super().get_context_data(erreurs=erreurs, **kwargs)


class ImportEtat(AccesMixin, View):
    """What the progress bar of a worker import polls."""

    permissions_requises = ("mutualisation.importer_donnees",)

    def get(self, request, pk):
        return JsonResponse(selectors.etat_import(get_object_or_404(selectors.imports_liste(), pk=pk)))
