"""The mutualisation API: imports, barèmes, runs, results and each organism's explanation.

Thin adapters over mutualisation.selectors and mutualisation.services, like the pages. Each view declares the
permissions of its reads in ``permissions_requises``; writes declare theirs per action.
"""

from django.core.cache import cache
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mutualisation import explications, selectors
from mutualisation.api_cycle import ANNEE, annee_de_la_vue
from mutualisation.enums import Sens, TypeImport
from mutualisation.models import Bareme, Calcul, ImportFichier, ResultatOrganisme
from mutualisation.services import imports
from mutualisation.services.campagne import ErreurCampagne, bareme_modifier, calcul_lancer
from pacte import selectors as pacte_selectors
from pacte.acces import PermissionsPacte
from pacte.enums import Famille


class PermissionsParAction:
    """Reads need ``permissions_requises``; an action listed in ``permissions_par_action`` needs its own."""

    permissions_par_action: dict[str, tuple[str, ...]] = {}

    def get_permissions(self):
        if self.action in self.permissions_par_action:
            self.permissions_requises = self.permissions_par_action[self.action]
        return super().get_permissions()


def _refus(erreur: ErreurCampagne) -> Response:
    return Response({"detail": str(erreur)}, status=status.HTTP_400_BAD_REQUEST)


# --- Barèmes -------------------------------------------------------------------------------------------------------


class BaremeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bareme
        fields = [
            "annee", "montant_zone_1", "montant_zone_2_3", "taux_rehabilitation", "montant_restructuration",
            "plafond_restructuration", "poids_cotisation_cglls", "poids_loyers", "poids_patrimoine",
            "frais_gestion", "taux_aide_exoneres", "updated_at",
        ]
        read_only_fields = ["annee", "updated_at"]


@extend_schema_view(
    list=extend_schema(summary="Barèmes des années"),
    retrieve=extend_schema(summary="Barème d'une année"),
    update=extend_schema(summary="Modifier le barème d'une année non validée (taux et poids en fractions)"),
    partial_update=extend_schema(summary="Modifier des champs du barème d'une année non validée"),
)
class BaremeViewSet(PermissionsParAction, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    permission_classes = [PermissionsPacte]
    permissions_requises = ("mutualisation.view_bareme",)
    permissions_par_action = {
        "update": ("mutualisation.modifier_bareme",),
        "partial_update": ("mutualisation.modifier_bareme",),
    }
    serializer_class = BaremeSerializer
    lookup_field = "annee"
    lookup_value_regex = "[0-9]{4}"
    queryset = Bareme.objects.order_by("annee")

    def update(self, request, *args, **kwargs):
        bareme = self.get_object()
        serializer = self.get_serializer(bareme, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        try:
            bareme = bareme_modifier(acting_user=request.user, annee=bareme.annee, valeurs=serializer.validated_data)
        except ErreurCampagne as erreur:
            return _refus(erreur)
        return Response(self.get_serializer(bareme).data)


# --- Runs ----------------------------------------------------------------------------------------------------------


class CalculSerializer(serializers.ModelSerializer):
    annee = serializers.IntegerField(source="campagne.annee", read_only=True)
    lance_par = serializers.CharField(source="lance_par.username", read_only=True, default=None, allow_null=True)
    url_etat = serializers.SerializerMethodField()

    class Meta:
        model = Calcul
        fields = [
            "id", "annee", "statut", "simulation", "avancement", "message", "empreinte_entrees", "version_code",
            "bareme", "totaux", "durees", "debut", "fin", "lance_par", "created_at", "url_etat",
        ]

    def get_url_etat(self, calcul) -> str:
        return reverse("mutualisation:calcul-etat", kwargs={"pk": calcul.pk})


class LancementSerializer(serializers.Serializer):
    annee = serializers.ChoiceField(choices=selectors.ANNEES_CAMPAGNE)
    simulation = serializers.BooleanField(default=False, help_text="Simuler sans toucher à la campagne.")


@extend_schema_view(
    list=extend_schema(summary="Calculs, du plus récent au plus ancien",
                       parameters=[OpenApiParameter("annee", OpenApiTypes.INT, description="Année de la campagne")]),
    retrieve=extend_schema(summary="État d'un calcul (statut, avancement 0–100, message, totaux)"),
    create=extend_schema(summary="Lancer un calcul sur le worker", request=LancementSerializer,
                         responses={202: CalculSerializer}),
)
class CalculViewSet(PermissionsParAction, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    permission_classes = [PermissionsPacte]
    permissions_requises = ("mutualisation.voir_resultats",)
    permissions_par_action = {"create": ("mutualisation.lancer_calcul",)}
    serializer_class = CalculSerializer

    def get_queryset(self):
        calculs = selectors.calculs_tous().order_by("-pk")
        annee = self.request.query_params.get("annee", "")
        return calculs.filter(campagne__annee=annee) if annee.isdigit() else calculs

    def create(self, request, *args, **kwargs):
        demande = LancementSerializer(data=request.data)
        demande.is_valid(raise_exception=True)
        try:
            calcul = calcul_lancer(acting_user=request.user, **demande.validated_data)
        except ErreurCampagne as erreur:
            return _refus(erreur)
        return Response(CalculSerializer(calcul).data, status=status.HTTP_202_ACCEPTED)


# --- Results and explanations --------------------------------------------------------------------------------------


class ResultatSerializer(serializers.ModelSerializer):
    siren = serializers.CharField(source="organisme_id")
    raison_sociale = serializers.CharField(source="organisme.raison_sociale")
    famille = serializers.CharField(source="organisme.famille")
    region = serializers.CharField(source="organisme.region_id")

    class Meta:
        model = ResultatOrganisme
        fields = [
            "siren", "raison_sociale", "famille", "region", "exonere", "aide_production", "aide_rehabilitation",
            "aide_restructuration", "ajustements", "aide_totale", "part_cotisation_cglls", "part_loyers",
            "part_patrimoine", "contribution", "solde", "sens",
        ]


class AvisSerializer(serializers.Serializer):
    """An organism's notice for a year: its result line and the line-by-line explanation, or why it has none."""

    annee = serializers.IntegerField()
    siren = serializers.CharField()
    raison_sociale = serializers.CharField()
    calcul = serializers.IntegerField(allow_null=True, help_text="Dernier calcul terminé de l'année")
    resultat = ResultatSerializer(allow_null=True)
    explication = serializers.JSONField(allow_null=True, help_text="Opérations, prêts, restructurations, hors champ")
    prets_a_jour = serializers.BooleanField(
        help_text="Faux quand les prêts de l'organisme ont changé depuis le calcul : l'explication ne liste alors "
                  "aucun prêt (relancer le calcul)")
    hors_champ = serializers.JSONField(help_text="Motifs pour lesquels l'organisme n'est pas concerné")


FILTRES = [
    OpenApiParameter("region", OpenApiTypes.STR, description="Code INSEE de la région du siège"),
    OpenApiParameter("famille", OpenApiTypes.STR, enum=Famille.values),
    OpenApiParameter("sens", OpenApiTypes.STR, enum=Sens.values),
    OpenApiParameter("recherche", OpenApiTypes.STR, description="Début du SIREN ou partie de la raison sociale"),
    OpenApiParameter("tri", OpenApiTypes.STR, enum=[*selectors.TRIS_RESULTATS, *(f"-{c}" for c in
                                                                                selectors.TRIS_RESULTATS)]),
]
SIREN = OpenApiParameter("siren", OpenApiTypes.STR, OpenApiParameter.PATH, description="SIREN de l'organisme")


@extend_schema_view(list=extend_schema(
    summary="Résultats par organisme du dernier calcul terminé de l'année (vide sans calcul)",
    parameters=[ANNEE, *FILTRES],
))
class ResultatViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [PermissionsPacte]
    permissions_requises = ("mutualisation.voir_resultats",)
    serializer_class = ResultatSerializer

    # --- Cache (docs/performances.md, « Tableaux de bord sous charge »): a page of results is serialized once per
    # run, scope and address, like the results page (mutualisation.views.Resultats).
    def list(self, request, *args, **kwargs):
        # A hit reads only the run's id and date (the key), not its row; a miss then reads that run's row.
        version = selectors.version_du_dernier_calcul(annee_de_la_vue(self))
        cle = selectors.cle_de_cache_des_resultats(request.user, version, request.build_absolute_uri())
        donnees = cache.get(cle)
        if donnees is None:
            self.calcul = selectors.calcul_de_la_version(version)
            donnees = super().list(request, *args, **kwargs).data
            cache.set(cle, donnees, selectors.DUREE_CACHE_RESULTATS)
        return Response(donnees)
    # --- fin du bloc Cache

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ResultatOrganisme.objects.none()
        calcul = self.calcul if hasattr(self, "calcul") else selectors.dernier_calcul(annee_de_la_vue(self))
        if calcul is None:
            return ResultatOrganisme.objects.none()
        parametres = self.request.query_params
        filtres = {cle: parametres.get(cle, "").strip() for cle in ("region", "famille", "sens", "recherche")}
        return selectors.resultats_filtrer(self.request.user, calcul, **filtres,
                                           tri=selectors.tri_resultats(parametres.get("tri", "")))


@extend_schema_view(retrieve=extend_schema(
    summary="Avis d'un organisme : résultat et explication ligne à ligne (un organisme ne voit que le sien)",
    parameters=[ANNEE, SIREN],
))
class AvisViewSet(viewsets.GenericViewSet):
    permission_classes = [PermissionsPacte]
    permissions_requises = ()
    permissions_alternatives = ("mutualisation.voir_resultats", "mutualisation.voir_avis")
    serializer_class = AvisSerializer
    lookup_field = "siren"
    lookup_value_regex = "[0-9]{9}"

    def retrieve(self, request, *args, **kwargs):
        annee = annee_de_la_vue(self)
        organisme = get_object_or_404(pacte_selectors.organismes_visibles(request.user), siren=kwargs["siren"])
        calcul = selectors.dernier_calcul(annee)
        resultat = calcul and selectors.resultat_de_l_organisme(request.user, calcul, organisme.siren)
        voit = selectors.voit_l_organisme(request.user, organisme.siren)
        detail = explications.detaillee(resultat, calcul) if resultat else None
        avis = {
            "annee": annee, "siren": organisme.siren, "raison_sociale": organisme.raison_sociale,
            "calcul": calcul.pk if calcul else None, "resultat": resultat or None,
            "explication": detail.explication if detail else None,
            "prets_a_jour": detail is None or detail.prets_a_jour,
            "hors_champ": selectors.hors_champ_de_l_organisme(calcul, organisme.siren) if calcul and voit else [],
        }
        return Response(AvisSerializer(avis).data)


# --- Imports -------------------------------------------------------------------------------------------------------


class ImportFichierSerializer(serializers.ModelSerializer):
    cree_par = serializers.CharField(source="cree_par.username", read_only=True, default=None, allow_null=True)
    etat = serializers.SerializerMethodField(help_text="Avancement (worker) : statut, avancement 0–100, total")

    class Meta:
        model = ImportFichier
        fields = [
            "id", "type_fichier", "nom_fichier", "empreinte", "taille", "statut", "nb_lignes", "nb_ajoutees",
            "nb_remplacees", "nb_inchangees", "colonnes_ignorees", "message", "cree_par", "created_at", "etat",
        ]

    def get_etat(self, import_fichier) -> dict:
        return selectors.etat_import(import_fichier)


class DepotSerializer(serializers.Serializer):
    type_fichier = serializers.ChoiceField(choices=TypeImport.choices)
    fichier = serializers.FileField(help_text="CSV (; ou ,) ou XLSX, première feuille")


class RapportSerializer(serializers.Serializer):
    ligne = serializers.IntegerField(allow_null=True)
    colonne = serializers.CharField(allow_blank=True, allow_null=True)
    valeur = serializers.CharField(allow_blank=True, allow_null=True)
    motif = serializers.CharField(help_text="Raison du refus, en français")


@extend_schema_view(
    list=extend_schema(summary="Imports, du plus récent au plus ancien"),
    retrieve=extend_schema(summary="Statut et comptes d'un import"),
    create=extend_schema(summary="Déposer un fichier (tout ou rien ; les gros fichiers passent par le worker)",
                         request={"multipart/form-data": DepotSerializer},
                         responses={201: ImportFichierSerializer}),
    rapport=extend_schema(summary="Rapport d'erreurs d'un import : ligne, colonne, valeur, raison",
                          responses=RapportSerializer(many=True)),
)
class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    permission_classes = [PermissionsPacte]
    permissions_requises = ("mutualisation.importer_donnees",)
    serializer_class = ImportFichierSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.imports_liste()

    def create(self, request, *args, **kwargs):
        depot = DepotSerializer(data=request.data)
        depot.is_valid(raise_exception=True)
        fichier = depot.validated_data["fichier"]
        try:
            import_fichier = imports.import_soumettre(
                acting_user=request.user, type_fichier=depot.validated_data["type_fichier"],
                nom_fichier=fichier.name, contenu=fichier.read(),
            )
        except imports.ErreurImport as erreur:
            return Response({"detail": str(erreur)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportFichierSerializer(import_fichier).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def rapport(self, request, pk=None):
        erreurs = self.get_object().erreurs or []
        page = self.paginate_queryset(erreurs)
        return self.get_paginated_response(RapportSerializer(page, many=True).data)


router = SimpleRouter()
router.register("baremes", BaremeViewSet, basename="mutualisation-bareme")
router.register("calculs", CalculViewSet, basename="mutualisation-calcul")
router.register("imports", ImportViewSet, basename="mutualisation-import")
router.register(r"campagnes/(?P<annee>[0-9]{4})/resultats", ResultatViewSet, basename="mutualisation-resultat")
router.register(r"campagnes/(?P<annee>[0-9]{4})/organismes", AvisViewSet, basename="mutualisation-avis")

# The campaign's life, the audit trail and the simulations (mutualisation/api_cycle.py)
from mutualisation.api_cycle import (  # noqa: E402 - registered after the core routes, as in urls.py
    AuditCampagneViewSet,
    AuditOrganismeViewSet,
    CampagneViewSet,
    SimulationViewSet,
)

router.register("campagnes", CampagneViewSet, basename="mutualisation-campagne")
router.register(r"campagnes/(?P<annee>[0-9]{4})/audit", AuditCampagneViewSet, basename="mutualisation-audit-campagne")
router.register(r"campagnes/(?P<annee>[0-9]{4})/simulations", SimulationViewSet,
                basename="mutualisation-simulation")
router.register(r"audit/organismes/(?P<siren>[0-9]{9})", AuditOrganismeViewSet,
                basename="mutualisation-audit-organisme")
