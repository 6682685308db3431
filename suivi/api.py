"""Read endpoints of the follow-up dashboards: the same figures as the pages, from the same selectors.

Rates are fractions with 4 decimals (0.8765 = 87,65 %); production is outside ANRU, counted apart
(docs/tableaux-de-bord.md).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from pacte.acces import PermissionsPacte
from pacte.models import Departement, Region
from suivi import selectors
from suivi.selectors import ANNEES, Perimetre

TAUX = {"max_digits": 7, "decimal_places": 4, "allow_null": True}
CODE_REGION = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Code INSEE (11, 93…)")
CODE_DEPARTEMENT = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Code (75, 2A, 971…)")
SIREN = OpenApiParameter("siren", OpenApiTypes.STR, OpenApiParameter.PATH, description="SIREN (9 chiffres)")
PARAMETRE_ANNEE = OpenApiParameter(
    "annee", OpenApiTypes.INT, enum=list(ANNEES),
    description="Année des tableaux par zone, des étiquettes et de la mutualisation (par défaut la dernière"
                " année renseignée)",
)


class IndicateursSerializer(serializers.Serializer):
    plus = serializers.IntegerField(help_text="Logements PLUS agréés, hors ANRU, tous maîtres d'ouvrage")
    plai = serializers.IntegerField()
    pls = serializers.IntegerField()
    production_secteur = serializers.IntegerField(help_text="PLUS + PLAI + PLS hors ANRU, tous maîtres d'ouvrage")
    plus_hlm = serializers.IntegerField()
    plai_hlm = serializers.IntegerField()
    pls_hlm = serializers.IntegerField()
    production_hlm = serializers.IntegerField(help_text="Logements agréés hors ANRU des organismes Hlm")
    part_hlm = serializers.DecimalField(**TAUX)
    anru = serializers.IntegerField(help_text="Logements agréés en opérations ANRU (comptés à part)")
    anru_hlm = serializers.IntegerField()
    objectif_production = serializers.IntegerField(allow_null=True)
    taux_production = serializers.DecimalField(**TAUX, help_text="production_hlm / objectif_production")
    loin_de_l_objectif = serializers.BooleanField(help_text=f"taux_production < {selectors.SEUIL_RETARD}")
    rehabilitations = serializers.IntegerField()
    rehabilitations_hlm = serializers.IntegerField()
    rehabilitations_eco_pret = serializers.IntegerField()
    objectif_rehabilitation = serializers.IntegerField(allow_null=True)
    taux_rehabilitation = serializers.DecimalField(**TAUX)


class AnneeSerializer(IndicateursSerializer):
    annee = serializers.IntegerField()


class LigneSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code INSEE de la région ou du département, ou SIREN")
    nom = serializers.CharField()
    rang = serializers.IntegerField(allow_null=True)
    prioritaire = serializers.BooleanField()
    famille = serializers.CharField()
    hlm = serializers.BooleanField()
    part_du_parent = serializers.DecimalField(**TAUX)
    indicateurs = IndicateursSerializer()


class ClasseSerializer(serializers.Serializer):
    classe = serializers.CharField()
    avant = serializers.IntegerField()
    apres = serializers.IntegerField()


class EtiquettesSerializer(serializers.Serializer):
    classes = ClasseSerializer(many=True)
    total = serializers.IntegerField()
    sortis_des_classes_energivores = serializers.IntegerField(help_text="Logements passés de E, F ou G à A–D")


class FichierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type_fichier = serializers.CharField()
    nom_fichier = serializers.CharField()
    importe_le = serializers.DateTimeField(source="created_at")
    nb_lignes = serializers.IntegerField()


class SourcesSerializer(serializers.Serializer):
    agrements = FichierSerializer(many=True)
    rehabilitations = FichierSerializer(many=True)
    objectifs = FichierSerializer(many=True)


class MutualisationRegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    nom = serializers.CharField()
    aides = serializers.DecimalField(max_digits=15, decimal_places=2)
    contributions = serializers.DecimalField(max_digits=15, decimal_places=2)
    soldes = serializers.DecimalField(max_digits=15, decimal_places=2)


class MutualisationSerializer(serializers.Serializer):
    calcul = serializers.IntegerField(source="calcul.pk", allow_null=True, default=None)
    calcul_du = serializers.DateTimeField(source="calcul.fin", allow_null=True, default=None)
    regions = MutualisationRegionSerializer(many=True)


class TableauSerializer(serializers.Serializer):
    perimetre = serializers.CharField()
    code = serializers.CharField()
    nom = serializers.CharField()
    annee = serializers.IntegerField()
    par_annee = AnneeSerializer(many=True)
    etiquettes = EtiquettesSerializer()
    sources = SourcesSerializer()


class TableauNationalSerializer(TableauSerializer):
    regions = LigneSerializer(many=True, help_text="Les régions métropolitaines classées par taux de réalisation")
    mutualisation = MutualisationSerializer()


class TableauRegionSerializer(TableauSerializer):
    prioritaire = serializers.BooleanField()
    departements = LigneSerializer(many=True)
    mutualisation = MutualisationSerializer()


class TableauDepartementSerializer(TableauSerializer):
    region = serializers.CharField()
    organismes = LigneSerializer(many=True)


class TableauOrganismeSerializer(TableauSerializer):
    departements = LigneSerializer(many=True)


def _annee_demandee(request) -> int | None:
    valeur = request.query_params.get("annee", "")
    return int(valeur) if valeur.isdigit() and int(valeur) in ANNEES else None


def _tableau(request, perimetre: Perimetre, nom: str) -> dict:
    par_annee = selectors.indicateurs_par_annee(perimetre)
    annee = _annee_demandee(request) or selectors.annee_par_defaut(par_annee)
    return {
        "perimetre": perimetre.niveau, "code": perimetre.code or "FR", "nom": nom, "annee": annee,
        "par_annee": [{"annee": a, **i.valeurs()} for a, i in par_annee.items()],
        "etiquettes": selectors.etiquettes(perimetre, annee),
        "sources": selectors.sources(perimetre),
    }


class SuiviMixin:
    permission_classes = [PermissionsPacte]
    permissions_requises = ("suivi.voir_tableaux_de_bord",)
    lookup_field = "code"


class NationalViewSet(SuiviMixin, viewsets.ViewSet):
    """France métropolitaine: production and renovation against the targets, regions ranked, mutualisation."""

    @extend_schema(summary="Tableau de bord national", parameters=[PARAMETRE_ANNEE],
                   responses=TableauNationalSerializer)
    def list(self, request):
        donnees = _tableau(request, Perimetre.national(), "France métropolitaine")
        donnees["regions"] = selectors.classement_regions(donnees["annee"])
        donnees["mutualisation"] = selectors.mutualisation_par_region(donnees["annee"])
        return Response(TableauNationalSerializer(donnees).data)


class RegionViewSet(SuiviMixin, viewsets.ViewSet):
    @extend_schema(summary="Classement des régions métropolitaines", parameters=[PARAMETRE_ANNEE],
                   responses=LigneSerializer(many=True))
    def list(self, request):
        annee = _annee_demandee(request) or selectors.derniere_annee()
        return Response(LigneSerializer(selectors.classement_regions(annee), many=True).data)

    @extend_schema(summary="Tableau de bord d'une région et de ses départements",
                   parameters=[CODE_REGION, PARAMETRE_ANNEE],
                   responses=TableauRegionSerializer)
    def retrieve(self, request, code=None):
        region = get_object_or_404(Region, code=code)
        donnees = _tableau(request, Perimetre.region(region.code), region.nom)
        donnees["prioritaire"] = region.prioritaire
        donnees["departements"] = selectors.departements_de_la_region(region.code, donnees["annee"])
        donnees["mutualisation"] = selectors.mutualisation_par_region(donnees["annee"], region.code)
        return Response(TableauRegionSerializer(donnees).data)


class DepartementViewSet(SuiviMixin, viewsets.ViewSet):
    @extend_schema(summary="Tableau de bord d'un département et de ses maîtres d'ouvrage",
                   parameters=[CODE_DEPARTEMENT, PARAMETRE_ANNEE], responses=TableauDepartementSerializer)
    def retrieve(self, request, code=None):
        departement = get_object_or_404(Departement.objects.select_related("region"), code=code)
        perimetre = Perimetre.departement(departement.code)
        donnees = _tableau(request, perimetre, departement.nom)
        donnees["region"] = departement.region_id
        donnees["organismes"] = selectors.organismes_du_perimetre(perimetre, donnees["annee"])
        return Response(TableauDepartementSerializer(donnees).data)


class OrganismeViewSet(SuiviMixin, viewsets.ViewSet):
    lookup_field = "siren"

    @extend_schema(summary="Production et réhabilitations d'un maître d'ouvrage (SIREN)",
                   parameters=[SIREN, PARAMETRE_ANNEE], responses=TableauOrganismeSerializer)
    def retrieve(self, request, siren=None):
        identite = selectors.organisme_identite(siren)
        if identite is None:
            raise Http404
        donnees = _tableau(request, Perimetre.organisme(siren), identite["nom"])
        donnees["departements"] = selectors.departements_de_l_organisme(siren, donnees["annee"])
        return Response(TableauOrganismeSerializer(donnees).data)


router = SimpleRouter()
router.register("national", NationalViewSet, basename="suivi-national")
router.register("regions", RegionViewSet, basename="suivi-region")
router.register("departements", DepartementViewSet, basename="suivi-departement")
router.register("organismes", OrganismeViewSet, basename="suivi-organisme")

# The committee's work (suivi/api_comite.py)
from suivi import api_comite  # noqa: E402 - registered after the dashboards, as in urls.py

router.register("reunions", api_comite.ReunionViewSet, basename="suivi-reunion")
router.register("blocages", api_comite.BlocageViewSet, basename="suivi-blocage")
router.register("bonnes-pratiques", api_comite.BonnePratiqueViewSet, basename="suivi-bonne-pratique")
router.register("diagnostics", api_comite.DiagnosticViewSet, basename="suivi-diagnostic")
router.register("rapports", api_comite.RapportViewSet, basename="suivi-rapport")
router.register("mises-a-jour-engagements", api_comite.MiseAJourViewSet, basename="suivi-mise-a-jour")
urlpatterns = router.urls
