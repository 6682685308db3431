"""The calls for projects in the API: calls with their pipeline, applications (scoped to the user), follow-up."""

from datetime import date
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from innovation import selectors as innovation_selectors
from innovation.models import BilanActivite, Theme
from logements_accompagnes import selectors as la_selectors
from pacte.acces import PermissionsPacte
from pacte.api_socle import nom_affiche
from pacte.appels import selectors, workflow
from pacte.appels.enums import Dispositif
from pacte.appels.selectors import appels_du_dispositif
from pacte.models_appels import (
    AppelAProjets,
    Candidature,
    Commentaire,
    Decision,
    HistoriqueStatut,
    PieceJointe,
    Versement,
)


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



class AuteurMixin(serializers.ModelSerializer):
    auteur = serializers.SerializerMethodField()

    def get_auteur(self, ligne) -> str | None:
        return nom_affiche(ligne.auteur)


class HistoriqueSerializer(AuteurMixin):
    class Meta:
        model = HistoriqueStatut
        fields = ["horodatage", "de", "vers", "auteur", "motif"]


class CommentaireSerializer(AuteurMixin):
    class Meta:
        model = Commentaire
        fields = ["horodatage", "auteur", "texte", "interne"]


class DecisionSerializer(AuteurMixin):
    class Meta:
        model = Decision
        fields = ["horodatage", "nature", "motif", "montant", "auteur"]


class VersementSerializer(AuteurMixin):
    class Meta:
        model = Versement
        fields = ["nature", "montant", "date_versement", "auteur", "created_at"]


class PieceSerializer(serializers.ModelSerializer):
    class Meta:
        model = PieceJointe
        fields = ["horodatage", "nom", "type_mime", "taille", "empreinte"]


# The scheme-specific part of a file (innovation project, accompanied-housing project), as the pages show it.
CHAMPS_PROJET = {
    "projet_innovation": ["theme_id", "section", "type_aide", "taux_pret", "duree_pret_mois", "cout_total",
                          "autres_financements_publics", "date_debut", "duree_mois", "convention_reference",
                          "convention_signee_le"],
    "projet_accompagne": ["type_porteur", "region_id", "besoins_offre", "diagnostic_accompagnement",
                          "roles_engagements", "adhesion_menages", "mobilisation_accompagnement", "offre_logement",
                          "methodologie_attributions", "logements_prevus", "menages_prevus"],
}


def _valeur(valeur):
    """Amounts and rates as strings (never floats), dates in ISO 8601."""
    if isinstance(valeur, Decimal | date):
        return str(valeur) if isinstance(valeur, Decimal) else valeur.isoformat()
    return valeur


class CandidatureDetailSerializer(CandidatureSerializer):
    """A file as its page shows it: history, documents, comments (internal ones to the committee only), decisions,
    payments and the scheme's project."""

    resume = serializers.CharField()
    historique = HistoriqueSerializer(many=True)
    pieces = PieceSerializer(many=True)
    commentaires = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True)
    versements = VersementSerializer(many=True)
    projet = serializers.SerializerMethodField(help_text="Volet propre au dispositif (thème, coûts, sections…)")

    class Meta(CandidatureSerializer.Meta):
        fields = [*CandidatureSerializer.Meta.fields, "resume", "historique", "pieces", "commentaires", "decisions",
                  "versements", "projet"]

    @extend_schema_field(CommentaireSerializer(many=True))
    def get_commentaires(self, candidature):
        user = self.context["request"].user
        voit_interne = user.has_perm(workflow.INSTRUIRE) or user.has_perm(workflow.DECIDER)
        return CommentaireSerializer([c for c in candidature.commentaires.all() if voit_interne or not c.interne],
                                     many=True).data

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_projet(self, candidature) -> dict | None:
        for relation, champs in CHAMPS_PROJET.items():
            projet = getattr(candidature, relation, None)
            if projet is not None:
                return {champ.removesuffix("_id"): _valeur(getattr(projet, champ)) for champ in champs}
        return None


MONTANT = {"max_digits": 15, "decimal_places": 2}


class ConsommationSerializer(serializers.Serializer):
    enveloppe = serializers.DecimalField(**MONTANT, allow_null=True)
    accorde = serializers.DecimalField(**MONTANT, help_text="Accordé par décision")
    engage = serializers.DecimalField(**MONTANT)
    verse = serializers.DecimalField(**MONTANT)
    disponible = serializers.DecimalField(**MONTANT, allow_null=True)


class EtapePipelineSerializer(serializers.Serializer):
    statut = serializers.CharField()
    libelle = serializers.CharField()
    nombre = serializers.IntegerField()
    demande = serializers.DecimalField(**MONTANT)
    accorde = serializers.DecimalField(**MONTANT)


class SyntheseAppelSerializer(serializers.Serializer):
    pipeline = EtapePipelineSerializer(many=True, help_text="Candidatures visibles de l'utilisateur, par statut")
    consommation = ConsommationSerializer()


class ConsommationAnneeSerializer(ConsommationSerializer):
    annee = serializers.IntegerField()


class BilanSerializer(serializers.ModelSerializer):
    class Meta:
        model = BilanActivite
        fields = ["annee", "enveloppe", "nb_candidatures", "nb_retenues", "montant_accorde", "montant_verse",
                  "demande_en_attente", "enveloppe_proposee"]


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "libelle", "section"]


class FondsInnovationSerializer(serializers.Serializer):
    consommations = ConsommationAnneeSerializer(many=True)
    bilans = BilanSerializer(many=True)
    themes = ThemeSerializer(many=True)


class AppelViewSet(viewsets.ReadOnlyModelViewSet):
    """Calls for projects of both schemes (innovation fund, logements accompagnés)."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ()
    serializer_class = AppelSerializer
    queryset = AppelAProjets.objects.order_by("-annee", "id")

    @extend_schema(summary="Pipeline (candidatures visibles par statut) et consommation de l'enveloppe",
                   responses=SyntheseAppelSerializer)
    @action(detail=True, methods=["get"])
    def synthese(self, request, pk=None):
        appel = self.get_object()
        candidatures = selectors.candidatures_visibles(request.user)
        return Response(SyntheseAppelSerializer({"pipeline": selectors.pipeline(appel, candidatures),
                                                 "consommation": selectors.consommation_appel(appel)}).data)


class CandidatureViewSet(viewsets.ReadOnlyModelViewSet):
    """Applications the user may see (an organism: its own); filter with ?appel=<id>&statut=<statut>."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ("pacte.consulter_candidatures",)
    serializer_class = CandidatureSerializer

    def get_serializer_class(self):
        return CandidatureDetailSerializer if self.action == "retrieve" else CandidatureSerializer

    def get_queryset(self):
        if self.action == "retrieve":  # outside the user's scope: 404, as the page
            return selectors.candidatures_visibles(self.request.user).prefetch_related(
                "historique__auteur", "pieces", "commentaires__auteur", "decisions__auteur", "versements__auteur",
            ).select_related("projet_innovation", "projet_accompagne")
        candidatures = selectors.candidatures_visibles(self.request.user).order_by("id")
        for filtre in ("appel", "statut"):
            if self.request.query_params.get(filtre):
                candidatures = candidatures.filter(**{filtre: self.request.query_params[filtre]})
        return candidatures


class FondsInnovationViewSet(viewsets.ViewSet):
    """The innovation fund's page: envelopes consumed per year, activity bilans, active themes."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ()

    @extend_schema(summary="Fonds d'innovation : enveloppes, bilans, thèmes", responses=FondsInnovationSerializer)
    def list(self, request):
        appels = appels_du_dispositif(Dispositif.INNOVATION)
        annees = sorted({e.annee for e in innovation_selectors.enveloppes()} | {a.annee for a in appels})
        return Response(FondsInnovationSerializer({
            "consommations": innovation_selectors.consommations(annees), "bilans": innovation_selectors.bilans(),
            "themes": innovation_selectors.themes_actifs()}).data)


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
router.register("fonds-innovation", FondsInnovationViewSet, basename="appels-fonds-innovation")
router.register("suivi-logements-accompagnes", SuiviViewSet, basename="appels-suivi")
urlpatterns = router.urls
