"""The calls for projects in the API: calls with their pipeline, applications (scoped to the user), follow-up."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from logements_accompagnes import selectors as la_selectors
from pacte.acces import PermissionsPacte
from pacte.appels import selectors
from pacte.models_appels import AppelAProjets, Candidature


class AppelSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppelAProjets
        fields = ["id", "dispositif", "annee", "titre", "date_ouverture", "date_cloture", "enveloppe",
                  "plafond_par_projet"]


class CandidatureSerializer(serializers.ModelSerializer):
    numero = serializers.CharField(read_only=True)

    class Meta:
        model = Candidature
        fields = ["id", "numero", "appel", "organisme", "intitule", "statut", "date_depot", "montant_demande",
                  "montant_accorde"]


class AppelViewSet(viewsets.ReadOnlyModelViewSet):
    """Calls for projects of both schemes (innovation fund, logements accompagnés)."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ()
    serializer_class = AppelSerializer
    queryset = AppelAProjets.objects.order_by("-annee", "id")


class CandidatureViewSet(viewsets.ReadOnlyModelViewSet):
    """Applications the user may see (an organism: its own); filter with ?appel=<id>&statut=<statut>."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ("pacte.consulter_candidatures",)
    serializer_class = CandidatureSerializer

    def get_queryset(self):
        candidatures = selectors.candidatures_visibles(self.request.user).order_by("id")
        for filtre in ("appel", "statut"):
            if self.request.query_params.get(filtre):
                candidatures = candidatures.filter(**{filtre: self.request.query_params[filtre]})
        return candidatures


class SuiviViewSet(viewsets.ViewSet):
    """Homes mobilised and households supported, national and per region, year and project, vs the 10 000 target."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ()

    @extend_schema(summary="Suivi des logements accompagnés", responses=OpenApiTypes.OBJECT)
    def list(self, request):
        return Response({"national": la_selectors.compteur_national(),
                         "par_region": list(la_selectors.suivi_par_region()),
                         "par_annee": list(la_selectors.suivi_par_annee()),
                         "par_projet": list(la_selectors.suivi_par_projet())})


router = SimpleRouter()
router.register("appels", AppelViewSet, basename="appels-appel")
router.register("candidatures", CandidatureViewSet, basename="appels-candidature")
router.register("suivi-logements-accompagnes", SuiviViewSet, basename="appels-suivi")
urlpatterns = router.urls
