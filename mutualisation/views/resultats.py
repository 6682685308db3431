"""The results pages: the year's results table (cached), its CSV and XLSX exports, and an organism's notice."""

import datetime

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views import View
from django.views.generic import ListView, TemplateView

from mutualisation import explications, exports, selectors
from mutualisation.documents import lots
from mutualisation.enums import Sens
from mutualisation.models import ResultatOrganisme
from mutualisation.views.campagne import AnneeMixin
from pacte import selectors as pacte_selectors
from pacte.acces import AccesMixin
from pacte.enums import Famille

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


def colonnes_triables(tri: str, colonnes_du_tableau=COLONNES_RESULTATS, *, montants_decroissants=False) -> list[dict]:
    """Headers of a results table with their aria-sort state and the sort a click asks for; with
    ``montants_decroissants``, a first click on an amount sorts it from the largest (the simulation's gaps)."""
    tri = tri or "siren"
    colonnes = []
    for cle, libelle, montant in colonnes_du_tableau:
        etat = "ascending" if tri == cle else "descending" if tri == f"-{cle}" else ""
        decroissant = etat == "ascending" or (montants_decroissants and montant and not etat)
        colonnes.append({"cle": cle, "libelle": libelle, "montant": montant, "aria_sort": etat,
                         "tri_suivant": f"-{cle}" if decroissant else cle})
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
