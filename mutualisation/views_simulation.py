"""What-if simulation pages (docs/simulation.md): barème variants, their simulation runs, and the comparison with the
reference run. Thin adapters over mutualisation.services.simulation and mutualisation.simulation."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView, TemplateView

from mutualisation import exports_simulation, selectors, simulation
from mutualisation.enums import StatutCalcul
from mutualisation.forms import LIBELLES_POURCENTAGE
from mutualisation.forms_simulation import VarianteForm
from mutualisation.services.campagne import ErreurCampagne
from mutualisation.services.simulation import simulation_lancer, variante_creer
from mutualisation.views import AnneeMixin, colonnes_triables
from pacte.acces import AccesMixin

LIRE, SIMULER = "mutualisation.voir_simulations", "mutualisation.simuler"
CHAMPS_POURCENTAGE = set(LIBELLES_POURCENTAGE)


def _libelles_champs() -> dict[str, str]:
    return {nom: str(champ.label) for nom, champ in VarianteForm.base_fields.items()}


def modifications_affichables(modifications: dict) -> list[dict]:
    """A variant's changes for the pages: label, reference and variant value (percentages for rates)."""
    libelles, lignes = _libelles_champs(), []
    for nom, (avant, apres) in modifications.items():
        pourcentage = nom in CHAMPS_POURCENTAGE
        lignes.append({"nom": nom, "libelle": libelles.get(nom, nom), "pourcentage": pourcentage,
                       "avant": Decimal(avant), "apres": Decimal(apres)})
    return lignes


class Simulations(AccesMixin, AnneeMixin, TemplateView):
    """The year's variants and their runs; POST ``variante`` launches a new simulation of one (commission)."""

    permissions_requises = (LIRE,)
    template_name = "mutualisation/simulations.html"

    def get_context_data(self, **kwargs):
        variantes = [
            {"variante": v, "modifications": modifications_affichables(v.modifications),
             "calculs": sorted(v.calculs.all(), key=lambda c: -c.pk)}
            for v in simulation.variantes_de_l_annee(self.annee)
        ]
        return super().get_context_data(variantes=variantes, reference=simulation.calcul_de_reference(self.annee),
                                         **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(SIMULER):
            raise PermissionDenied
        try:
            variante_id = int(request.POST.get("variante", ""))
            calcul = simulation_lancer(acting_user=request.user, variante_id=variante_id)
        except ValueError:
            messages.error(request, "Variante non précisée.")
        except ErreurCampagne as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, f"Simulation n° {calcul.pk} lancée : suivez son avancement ci-dessous.")
            return redirect("mutualisation:simulation", annee=self.annee, pk=calcul.pk)
        return redirect("mutualisation:simulations", annee=self.annee)


class VarianteCreer(AccesMixin, AnneeMixin, FormView):
    """The year's barème copied into a form; the commission member changes what it wants, names it, and the
    simulation starts on the worker."""

    permissions_requises = (SIMULER,)
    template_name = "mutualisation/variante_form.html"

    def get_form(self, form_class=None):
        bareme = selectors.bareme_de_l_annee(self.annee) or selectors.bareme_precedent(self.annee)
        donnees = {"data": self.request.POST} if self.request.method == "POST" else {}
        return VarianteForm.depuis_bareme(bareme, **donnees)

    def form_valid(self, form):
        try:
            variante = variante_creer(acting_user=self.request.user, annee=self.annee,
                                      nom=form.cleaned_data["nom"], valeurs=form.valeurs())
            calcul = simulation_lancer(acting_user=self.request.user, variante_id=variante.pk)
        except ErreurCampagne as erreur:
            form.add_error(None, str(erreur))
            return self.form_invalid(form)
        messages.success(self.request, f"Variante « {variante.nom} » créée ; simulation n° {calcul.pk} lancée.")
        return redirect("mutualisation:simulation", annee=self.annee, pk=calcul.pk)


FILTRES = ("recherche", "modifies", "region")
COLONNES = (
    ("siren", "SIREN", False), ("raison_sociale", "Raison sociale (région)", False),
    ("aide_reference", "Aide référence", True), ("aide_simulation", "Aide simulation", True),
    ("delta_aide", "Écart aide", True), ("delta_contribution", "Écart contribution", True),
    ("solde_reference", "Solde référence", True), ("solde_simulation", "Solde simulation", True),
    ("delta_solde", "Écart solde", True),
)


class SimulationMixin(AnneeMixin):
    """A simulation run of the year (404 otherwise) and its comparison with the reference run."""

    def calcul_simulation(self):
        calcul = simulation.simulation_de_l_annee(self.annee, self.kwargs["pk"])
        if calcul is None:
            raise Http404("Pas de simulation de ce numéro pour cette année.")
        return calcul

    @staticmethod
    def comparaison(reference, calcul) -> simulation.Comparaison:
        return simulation.comparer(simulation.lignes_du_calcul(reference), simulation.lignes_du_calcul(calcul))


def _filtrer(lignes, filtres: dict) -> list:
    if filtres["modifies"]:
        lignes = [ligne for ligne in lignes if ligne.modifiee]
    if filtres["region"]:
        lignes = [ligne for ligne in lignes if ligne.region_code == filtres["region"]]
    if recherche := filtres["recherche"].lower():
        lignes = [ligne for ligne in lignes
                  if ligne.siren.startswith(recherche) or recherche in ligne.raison_sociale.lower()]
    return lignes


class SimulationComparaison(AccesMixin, SimulationMixin, TemplateView):
    permissions_requises = (LIRE,)
    template_name = "mutualisation/simulation.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        calcul, reference = self.calcul_simulation(), simulation.calcul_de_reference(self.annee)
        contexte = {"calcul": calcul, "reference": reference,
                    "modifications": modifications_affichables(calcul.variante.modifications if calcul.variante
                                                               else {}),
                    "termine": calcul.statut == StatutCalcul.TERMINE}
        if contexte["termine"] and reference is not None:
            contexte |= self._comparaison(reference, calcul)
        return super().get_context_data(**contexte, **kwargs)

    def _comparaison(self, reference, calcul) -> dict:
        comparaison = self.comparaison(reference, calcul)
        filtres = {cle: self.request.GET.get(cle, "").strip() for cle in FILTRES}
        tri = self.request.GET.get("tri", "")
        lignes = simulation.trier(_filtrer(comparaison.lignes, filtres), tri)
        page = Paginator(lignes, self.paginate_by).get_page(self.request.GET.get("page"))
        frais = [calcul_.totaux.get("frais_gestion") for calcul_ in (reference, calcul)]
        colonnes = colonnes_triables(tri, COLONNES, montants_decroissants=True)
        return {"comparaison": comparaison, "page_obj": page, "lignes": page.object_list, "nb_lignes": len(lignes),
                "filtres": {**filtres, "tri": tri}, "colonnes": colonnes, "frais": frais,
                "barres": simulation.barres_regions(comparaison, "solde"),
                "barres_aides": simulation.barres_regions(comparaison, "aide_totale")}


class SimulationExport(AccesMixin, SimulationMixin, View):
    permissions_requises = (LIRE,)
    extension = ""
    type_contenu = ""

    def produire(self, comparaison, titre: str) -> bytes:
        raise NotImplementedError

    def get(self, request, annee, pk):
        calcul, reference = self.calcul_simulation(), simulation.calcul_de_reference(self.annee)
        if calcul.statut != StatutCalcul.TERMINE or reference is None:
            raise Http404("Simulation non terminée ou aucun calcul de référence.")
        nom = f"simulation-{self.annee}-calcul-{calcul.pk}-reference-{reference.pk}.{self.extension}"
        titre = f"Simulation n° {calcul.pk} comparée au calcul n° {reference.pk} ({self.annee})"
        return HttpResponse(self.produire(self.comparaison(reference, calcul), titre), content_type=self.type_contenu,
                            headers={"Content-Disposition": f'attachment; filename="{nom}"'})


class SimulationExportCsv(SimulationExport):
    extension = "csv"
    type_contenu = "text/csv; charset=utf-8"

    def produire(self, comparaison, titre: str) -> bytes:
        return exports_simulation.export_csv(comparaison)


class SimulationExportXlsx(SimulationExport):
    extension = "xlsx"
    type_contenu = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def produire(self, comparaison, titre: str) -> bytes:
        return exports_simulation.export_xlsx(comparaison, titre=titre)
