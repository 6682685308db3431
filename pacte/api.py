from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from pacte import selectors
from pacte.acces import PermissionsPacte
from pacte.models import Engagement, Organisme, Region


class RegionSerializer(serializers.ModelSerializer):
    departements = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Region
        fields = ["code", "nom", "metropole", "prioritaire", "departements"]


class OrganismeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisme
        fields = ["siren", "raison_sociale", "famille", "region", "metropole"]


class EngagementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Engagement
        fields = ["code", "partie", "section", "titre", "texte", "indicateur", "cible", "echeance", "statut"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Pre-2016 regions with their départements."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ("pacte.view_region",)
    serializer_class = RegionSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.regions_avec_departements()


class OrganismeViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisms visible to the signed-in user (an organism user sees only its own)."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ()
    serializer_class = OrganismeSerializer
    lookup_field = "siren"

    def get_queryset(self):
        parametres = self.request.query_params
        return selectors.organismes_rechercher(
            self.request.user,
            recherche=parametres.get("recherche", ""),
            famille=parametres.get("famille", ""),
            region=parametres.get("region", ""),
        )


class EngagementViewSet(viewsets.ReadOnlyModelViewSet):
    """Every commitment of the pact with its status."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ("pacte.view_engagement",)
    serializer_class = EngagementSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.engagements_liste()


class Schema(SpectacularAPIView):
    permission_classes = [PermissionsPacte]
    permissions_requises = ()


class Swagger(SpectacularSwaggerView):
    permission_classes = [PermissionsPacte]
    permissions_requises = ()


class Redoc(SpectacularRedocView):
    permission_classes = [PermissionsPacte]
    permissions_requises = ()


class RacineApi(DefaultRouter.APIRootView):
    """Index of the API's resources."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ()


router = DefaultRouter()
router.APIRootView = RacineApi
router.register("regions", RegionViewSet, basename="region")
router.register("organismes", OrganismeViewSet, basename="organisme")
router.register("engagements", EngagementViewSet, basename="engagement")
