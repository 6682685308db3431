"""The committee's work in the API (suivi/views_comite.py's pages): meetings, blocking points with their history,
good practices, regional diagnostics, annual reports and the commitments' dated updates. Same selectors, same
permissions, same filters (the pages' search forms validate the query parameters)."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from pacte.acces import PermissionsPacte
from pacte.api_socle import nom_affiche
from pacte.enums import StatutTravail
from suivi import selectors_comite as selectors
from suivi.enums import StatutBlocage, ThemeBlocage
from suivi.forms import RechercheBlocagesForm, RechercheBonnesPratiquesForm
from suivi.models import (
    BonnePratique,
    DiagnosticRegional,
    HistoriqueBlocage,
    MiseAJourEngagement,
    PointDeBlocage,
    RapportAnnuel,
    Reunion,
)

REGION = OpenApiParameter("region", OpenApiTypes.STR, description="Code INSEE de la région, ou « national »")
THEME = OpenApiParameter("theme", OpenApiTypes.STR, enum=ThemeBlocage.values)
ANNEE = OpenApiParameter("annee", OpenApiTypes.INT, enum=list(selectors.ANNEES_PACTE))



def _criteres(formulaire_classe, parametres) -> dict:
    """The page's search form on the query parameters: an invalid value is ignored, as on the page."""
    formulaire = formulaire_classe(parametres or None)
    return {cle: valeur for cle, valeur in formulaire.cleaned_data.items() if valeur} if formulaire.is_valid() else {}


class ComiteMixin:
    permission_classes = [PermissionsPacte]


# --- Meetings --------------------------------------------------------------------------------------------------------


class ReunionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reunion
        fields = ["id", "date", "niveau", "region", "institutions", "ordre_du_jour", "compte_rendu", "decisions",
                  "created_at", "updated_at"]


@extend_schema_view(list=extend_schema(summary="Réunions du comité de suivi, de la plus récente",
                                       parameters=[ANNEE]),
                    retrieve=extend_schema(summary="Une réunion du comité"))
class ReunionViewSet(ComiteMixin, viewsets.ReadOnlyModelViewSet):
    permissions_requises = ("suivi.view_reunion",)
    serializer_class = ReunionSerializer

    def get_queryset(self):
        annee = self.request.query_params.get("annee", "")
        return selectors.reunions_liste(annee=int(annee) if annee.isdigit() else None).order_by("-date", "-pk")


# --- Blocking points -------------------------------------------------------------------------------------------------


class HistoriqueBlocageSerializer(serializers.ModelSerializer):
    auteur = serializers.SerializerMethodField()

    class Meta:
        model = HistoriqueBlocage
        fields = ["horodatage", "auteur", "statut", "changements", "commentaire"]

    def get_auteur(self, ligne) -> str | None:
        return nom_affiche(ligne.auteur)


class BlocageSerializer(serializers.ModelSerializer):
    class Meta:
        model = PointDeBlocage
        fields = ["id", "region", "theme", "titre", "description", "solution_proposee", "responsable", "statut",
                  "reunion", "created_at", "updated_at"]


class BlocageDetailSerializer(BlocageSerializer):
    historique = HistoriqueBlocageSerializer(many=True, help_text="Changements, du plus récent au plus ancien")

    class Meta(BlocageSerializer.Meta):
        fields = [*BlocageSerializer.Meta.fields, "historique"]


@extend_schema_view(
    list=extend_schema(summary="Points de blocage", parameters=[
        REGION, THEME, OpenApiParameter("statut", OpenApiTypes.STR, enum=StatutBlocage.values)]),
    retrieve=extend_schema(summary="Un point de blocage et son historique"),
)
class BlocageViewSet(ComiteMixin, viewsets.ReadOnlyModelViewSet):
    permissions_requises = ("suivi.view_pointdeblocage",)

    def get_serializer_class(self):
        return BlocageDetailSerializer if self.action == "retrieve" else BlocageSerializer

    def get_queryset(self):
        if self.action == "retrieve" or getattr(self, "swagger_fake_view", False):
            return PointDeBlocage.objects.select_related("region", "reunion").prefetch_related(
                "historique__auteur")
        return selectors.blocages_filtrer(**_criteres(RechercheBlocagesForm, self.request.query_params)).order_by(
            "statut", "-updated_at", "-pk")


# --- Good practices --------------------------------------------------------------------------------------------------


class BonnePratiqueSerializer(serializers.ModelSerializer):
    class Meta:
        model = BonnePratique
        fields = ["id", "titre", "description", "theme", "region", "organisme", "created_at", "updated_at"]


@extend_schema_view(
    list=extend_schema(summary="Bonnes pratiques", parameters=[
        OpenApiParameter("recherche", OpenApiTypes.STR, description="Mot du titre, de la description ou de "
                                                                    "la raison sociale"), THEME, REGION]),
    retrieve=extend_schema(summary="Une bonne pratique"),
)
class BonnePratiqueViewSet(ComiteMixin, viewsets.ReadOnlyModelViewSet):
    permissions_requises = ("suivi.view_bonnepratique",)
    serializer_class = BonnePratiqueSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BonnePratique.objects.none()
        criteres = _criteres(RechercheBonnesPratiquesForm, self.request.query_params)
        return selectors.bonnes_pratiques_chercher(**criteres).order_by("-created_at", "-pk")


# --- Regional diagnostics --------------------------------------------------------------------------------------------


class DiagnosticSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiagnosticRegional
        fields = ["id", "region", "annee", "statut", "coherence_politiques", "disponibilite_fonciere",
                  "montage_financier", "capacite_btp", "impact_sru", "besoins_typologie", "created_at",
                  "updated_at"]


@extend_schema_view(list=extend_schema(summary="Diagnostics régionaux partagés", parameters=[
                        ANNEE, OpenApiParameter("region", OpenApiTypes.STR, description="Code INSEE")]),
                    retrieve=extend_schema(summary="Un diagnostic régional"))
class DiagnosticViewSet(ComiteMixin, viewsets.ReadOnlyModelViewSet):
    permissions_requises = ("suivi.view_diagnosticregional",)
    serializer_class = DiagnosticSerializer

    def get_queryset(self):
        diagnostics = DiagnosticRegional.objects.select_related("region").order_by("annee", "region_id")
        parametres = self.request.query_params
        if parametres.get("annee", "").isdigit():
            diagnostics = diagnostics.filter(annee=int(parametres["annee"]))
        if parametres.get("region"):
            diagnostics = diagnostics.filter(region_id=parametres["region"])
        return diagnostics


# --- Annual reports --------------------------------------------------------------------------------------------------


class RapportAnnuelSerializer(serializers.ModelSerializer):
    cree_par = serializers.SerializerMethodField()
    url_pdf = serializers.SerializerMethodField(help_text="Lien du PDF une fois produit")

    class Meta:
        model = RapportAnnuel
        fields = ["id", "annee", "statut", "date_donnees", "empreinte", "message", "cree_par", "created_at",
                  "url_pdf"]

    def get_cree_par(self, rapport) -> str | None:
        return nom_affiche(rapport.cree_par)

    def get_url_pdf(self, rapport) -> str | None:
        if rapport.statut != StatutTravail.TERMINE or not rapport.fichier:
            return None
        return reverse("suivi:rapport-pdf", args=[rapport.pk])


@extend_schema_view(list=extend_schema(summary="Rapports annuels du comité de suivi"),
                    retrieve=extend_schema(summary="Un rapport annuel (état de production, empreinte du PDF)"))
class RapportViewSet(ComiteMixin, viewsets.ReadOnlyModelViewSet):
    permissions_requises = ("suivi.voir_tableaux_de_bord",)
    serializer_class = RapportAnnuelSerializer

    def get_queryset(self):
        return selectors.rapports_liste().order_by("-created_at", "-pk")


# --- Commitments' dated updates -------------------------------------------------------------------------------------


class MiseAJourSerializer(serializers.ModelSerializer):
    engagement = serializers.CharField(source="engagement.code")
    auteur = serializers.SerializerMethodField()

    class Meta:
        model = MiseAJourEngagement
        fields = ["id", "engagement", "date", "statut", "commentaire", "preuve", "auteur", "created_at"]

    def get_auteur(self, mise_a_jour) -> str | None:
        return nom_affiche(mise_a_jour.auteur)


@extend_schema_view(list=extend_schema(summary="Mises à jour datées des engagements, de la plus récente",
                                       parameters=[OpenApiParameter("engagement", OpenApiTypes.STR,
                                                                    description="Code de l'engagement")]),
                    retrieve=extend_schema(summary="Une mise à jour d'engagement"))
class MiseAJourViewSet(ComiteMixin, viewsets.ReadOnlyModelViewSet):
    permissions_requises = ("pacte.view_engagement",)  # as the commitment's page, which shows them
    serializer_class = MiseAJourSerializer

    def get_queryset(self):
        mises_a_jour = MiseAJourEngagement.objects.select_related("engagement", "auteur").order_by("-date", "-pk")
        if code := self.request.query_params.get("engagement"):
            mises_a_jour = mises_a_jour.filter(engagement__code=code)
        return mises_a_jour
