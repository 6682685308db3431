"""The imports pages: upload, preview of the analysis and confirmation, an import's detail and its progress."""

import datetime
import secrets
from decimal import Decimal

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.generic import DetailView, ListView

from mutualisation import selectors
from mutualisation.enums import TypeImport
from mutualisation.forms import ConfirmationImportForm, ImportForm
from mutualisation.services import imports
from pacte import formats
from pacte.acces import AccesMixin

CLE_APERCUS = "mutualisation_imports_apercus"

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
