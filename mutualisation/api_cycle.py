"""The campaign's life, its audit trail and the what-if simulations in the API: the same reads as the pages
(mutualisation/views_cycle.py, views_simulation.py), from the same selectors, with the same permissions."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from mutualisation import selectors, simulation
from mutualisation.enums import StatutCalcul, StatutCampagne
from mutualisation.models import Ajustement, ApprobationCalcul, Calcul, ReouvertureCampagne, ValidationCalcul
from pacte import selectors as pacte_selectors
from pacte.acces import PermissionsPacte
from pacte.api_socle import nom_affiche

# The year in the URL of every campaign route (mutualisation/api.py uses these too).
ANNEE = OpenApiParameter("annee", OpenApiTypes.INT, OpenApiParameter.PATH, description="Année de la campagne")


def annee_de_la_vue(vue) -> int:
    """The campaign year of the URL; 404 for a year the pact has no campaign in."""
    annee = int(vue.kwargs["annee"])
    if annee not in selectors.ANNEES_CAMPAGNE:
        raise Http404(f"Pas de campagne de mutualisation en {annee}.")
    return annee



# --- The campaign: status, timeline, approvals, validations, reopenings ---------------------------------------------


class EtapeSerializer(serializers.Serializer):
    horodatage = serializers.DateTimeField()
    action = serializers.CharField()
    libelle = serializers.CharField()
    auteur = serializers.CharField(source="auteur_libelle")
    details = serializers.JSONField()


class ApprobationSerializer(serializers.ModelSerializer):
    membre = serializers.SerializerMethodField()
    annulee = serializers.SerializerMethodField(help_text="Annulée par une réouverture de l'année")

    class Meta:
        model = ApprobationCalcul
        fields = ["calcul", "membre", "created_at", "annulee"]

    def get_membre(self, approbation) -> str:
        return nom_affiche(approbation.membre)

    def get_annulee(self, approbation) -> bool:
        return approbation.annulee_par_reouverture_id is not None


class ValidationSerializer(serializers.ModelSerializer):
    reouverte_le = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = ValidationCalcul
        fields = ["calcul", "created_at", "reouverte_le"]


class ReouvertureSerializer(serializers.ModelSerializer):
    auteur = serializers.SerializerMethodField()

    class Meta:
        model = ReouvertureCampagne
        fields = ["created_at", "auteur", "motif", "statut_precedent", "calcul"]

    def get_auteur(self, reouverture) -> str:
        return nom_affiche(reouverture.auteur)


class AjustementSerializer(serializers.ModelSerializer):
    siren = serializers.CharField(source="organisme_id")
    auteur = serializers.SerializerMethodField()

    class Meta:
        model = Ajustement
        fields = ["siren", "montant", "motif", "auteur", "created_at"]

    def get_auteur(self, ajustement) -> str | None:
        return nom_affiche(ajustement.auteur)


class CampagneSerializer(serializers.Serializer):
    annee = serializers.IntegerField()
    statut = serializers.ChoiceField(choices=StatutCampagne.choices)
    calcul_valide = serializers.IntegerField(allow_null=True, help_text="Calcul validé de l'année (deux approbations)")
    dernier_calcul = serializers.IntegerField(allow_null=True, help_text="Dernier calcul officiel terminé")


class CampagneDetailSerializer(CampagneSerializer):
    chronologie = EtapeSerializer(many=True)
    approbations = ApprobationSerializer(many=True, help_text="Approbations du dernier calcul officiel")
    validations = ValidationSerializer(many=True)
    reouvertures = ReouvertureSerializer(many=True)
    ajustements = AjustementSerializer(many=True, help_text="Ajustements de la commission (montant signé)")


def _campagne(annee: int, campagne) -> dict:
    valide, dernier = selectors.calcul_valide(annee), selectors.dernier_calcul(annee)
    return {"annee": annee, "statut": campagne.statut if campagne else StatutCampagne.OUVERTE,
            "calcul_valide": valide.pk if valide else None, "dernier_calcul": dernier.pk if dernier else None}


class CampagneViewSet(viewsets.ViewSet):
    """The campaigns 2013–2015: status, the timeline of who did what, the four-eyes approvals (page « campagne »)."""

    permission_classes = [PermissionsPacte]
    permissions_requises = ("mutualisation.voir_resultats",)
    lookup_field = "annee"
    lookup_value_regex = "[0-9]{4}"

    @extend_schema(summary="Campagnes et leur statut", responses=CampagneSerializer(many=True))
    def list(self, request):
        campagnes = selectors.campagnes_des_annees(selectors.ANNEES_CAMPAGNE)
        lignes = [_campagne(annee, campagnes.get(annee)) for annee in selectors.ANNEES_CAMPAGNE]
        return Response(CampagneSerializer(lignes, many=True).data)

    @extend_schema(summary="Une campagne : chronologie, approbations, validations et réouvertures",
                   parameters=[ANNEE], responses=CampagneDetailSerializer)
    def retrieve(self, request, annee=None):
        annee = annee_de_la_vue(self)
        donnees = _campagne(annee, selectors.campagne_de_l_annee(annee))
        officiel = selectors.calculs_tous().filter(campagne__annee=annee, simulation=False,
                                                   statut=StatutCalcul.TERMINE).order_by("-pk").first()
        donnees |= {
            "chronologie": selectors.campagne_chronologie(annee),
            "approbations": selectors.approbations_du_calcul(officiel) if officiel else [],
            "validations": selectors.validations_de_l_annee(annee),
            "reouvertures": selectors.reouvertures_de_l_annee(annee),
            "ajustements": selectors.ajustements_de_l_annee(annee).order_by("created_at", "pk"),
        }
        return Response(CampagneDetailSerializer(donnees).data)


# --- Audit trail -----------------------------------------------------------------------------------------------------


class LigneAuditSerializer(serializers.Serializer):
    horodatage = serializers.DateTimeField()
    table = serializers.CharField()
    objet = serializers.CharField()
    action = serializers.ChoiceField(choices=["création", "modification", "suppression"])
    avant = serializers.JSONField(help_text="Valeurs avant (pour une modification : les champs changés)")
    apres = serializers.JSONField()
    auteur = serializers.CharField()
    source = serializers.CharField(help_text="page, tache ou commande")
    origine = serializers.CharField(help_text="Chemin de la page, nom de la tâche ou ligne de commande")


class AuditMixin(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [PermissionsPacte]
    permissions_requises = ("mutualisation.voir_audit",)
    serializer_class = LigneAuditSerializer


@extend_schema_view(list=extend_schema(summary="Piste d'audit d'une campagne, du plus récent au plus ancien",
                                       parameters=[ANNEE]))
class AuditCampagneViewSet(AuditMixin):
    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return []
        return selectors.audit_de_la_campagne(annee_de_la_vue(self))


@extend_schema_view(list=extend_schema(
    summary="Piste d'audit de l'argent d'un organisme (hors périmètre : 404)",
    parameters=[OpenApiParameter("siren", OpenApiTypes.STR, OpenApiParameter.PATH)]))
class AuditOrganismeViewSet(AuditMixin):
    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return []
        organisme = get_object_or_404(pacte_selectors.organismes_visibles(self.request.user),
                                      siren=self.kwargs["siren"])
        return selectors.audit_de_l_organisme(organisme.siren)


# --- What-if simulations ---------------------------------------------------------------------------------------------


class SimulationSerializer(serializers.ModelSerializer):
    variante = serializers.CharField(source="variante.nom", default=None, allow_null=True)
    modifications = serializers.JSONField(source="variante.modifications", default=dict,
                                          help_text="{champ: [référence, variante]}")
    lance_par = serializers.SerializerMethodField()

    class Meta:
        model = Calcul
        fields = ["id", "variante", "modifications", "statut", "avancement", "message", "totaux", "debut", "fin",
                  "lance_par"]

    def get_lance_par(self, calcul) -> str | None:
        return nom_affiche(calcul.lance_par)


class EcartSerializer(serializers.Serializer):
    reference = serializers.DecimalField(max_digits=15, decimal_places=2)
    simulation = serializers.DecimalField(max_digits=15, decimal_places=2)
    delta = serializers.DecimalField(max_digits=15, decimal_places=2)


class AgregatSerializer(serializers.Serializer):
    code = serializers.CharField()
    nom = serializers.CharField()
    nb_organismes = serializers.IntegerField()
    nb_modifies = serializers.IntegerField()
    aide_totale = EcartSerializer()
    contribution = EcartSerializer()
    solde = EcartSerializer()


class ComparaisonSerializer(serializers.Serializer):
    simulation = SimulationSerializer()
    reference = serializers.IntegerField(allow_null=True, help_text="Calcul validé, sinon dernier calcul terminé")
    total = AgregatSerializer(allow_null=True, help_text="Vide tant que la simulation n'est pas terminée")
    regions = AgregatSerializer(many=True)


@extend_schema_view(
    list=extend_schema(summary="Simulations de l'année (variantes du barème)", parameters=[ANNEE]),
    retrieve=extend_schema(summary="Une simulation comparée au calcul de référence, par région",
                           parameters=[ANNEE, OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
                           responses=ComparaisonSerializer),
)
class SimulationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [PermissionsPacte]
    permissions_requises = ("mutualisation.voir_simulations",)
    serializer_class = SimulationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Calcul.objects.none()
        return (selectors.calculs_tous().filter(campagne__annee=annee_de_la_vue(self), simulation=True)
                .select_related("variante", "lance_par").order_by("-pk"))

    def retrieve(self, request, *args, **kwargs):
        calcul = self.get_object()
        reference = simulation.calcul_de_reference(annee_de_la_vue(self))
        comparaison = None
        if calcul.statut == StatutCalcul.TERMINE and reference is not None:
            comparaison = simulation.comparer(simulation.lignes_du_calcul(reference),
                                              simulation.lignes_du_calcul(calcul))
        donnees = {"simulation": calcul, "reference": reference.pk if reference else None,
                   "total": comparaison.total if comparaison else None,
                   "regions": comparaison.regions if comparaison else []}
        return Response(ComparaisonSerializer(donnees).data)
