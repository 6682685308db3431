from csp.constants import SELF
from csp.decorators import csp_replace
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from pacte import selectors
from pacte.acces import PermissionsPacte
from pacte.models import Engagement, Evenement, Organisme, Region, Utilisateur


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


class EvenementSerializer(serializers.ModelSerializer):
    auteur = serializers.CharField(source="auteur.username", default=None, allow_null=True)

    class Meta:
        model = Evenement
        fields = ["id", "horodatage", "auteur", "action", "objet", "details"]


class UtilisateurSerializer(serializers.ModelSerializer):
    class Meta:
        model = Utilisateur
        fields = ["id", "username", "first_name", "last_name", "email", "role", "region", "organisme", "is_active",
                  "last_login"]


class EvenementViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail of writes (administration page), newest first; filter with ?action=."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ("pacte.voir_administration",)
    serializer_class = EvenementSerializer

    def get_queryset(self):
        evenements = Evenement.objects.select_related("auteur").order_by("-horodatage", "-id")
        if action := self.request.query_params.get("action"):
            evenements = evenements.filter(action=action)
        return evenements


class UtilisateurViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts with their role and scope (administration page)."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ("pacte.voir_administration",)
    serializer_class = UtilisateurSerializer

    def get_queryset(self):
        return selectors.utilisateurs_liste().order_by("username", "pk")


class Schema(SpectacularAPIView):
    permission_classes = [PermissionsPacte]
    permissions_requises = ()


class Swagger(SpectacularSwaggerView):
    permission_classes = [PermissionsPacte]
    permissions_requises = ()


# Redoc writes its styles into <style> elements at run time (no nonce) and searches in a blob: worker: on this page
# only, and nowhere else, inline styles and blob: workers are allowed (docs/securite.md, « Déploiement »).
@method_decorator(csp_replace({"style-src": [SELF, "'unsafe-inline'"], "worker-src": [SELF, "blob:"]}),
                  name="dispatch")
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
router.register("evenements", EvenementViewSet, basename="evenement")
router.register("utilisateurs", UtilisateurViewSet, basename="utilisateur")
