from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from import_export import resources
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV

from mutualisation.exports import neutraliser
from pacte.models import Departement, Engagement, Evenement, Fusion, Organisme, Region, Utilisateur


class OrganismeResource(resources.ModelResource):
    class Meta:
        model = Organisme
        import_id_fields = ["siren"]
        fields = ["siren", "raison_sociale", "famille", "region", "metropole"]

    def dehydrate_raison_sociale(self, organisme):
        return neutraliser(organisme.raison_sociale)  # docs/fichiers-hostiles.md: formulas neutralised on export


@admin.register(Organisme)
class OrganismeAdmin(ImportExportModelAdmin):
    resource_classes = [OrganismeResource]
    import_formats = [CSV]  # no archive (XLSX, ODS) read without the bomb checks of pacte.lecture
    list_display = ["siren", "raison_sociale", "famille", "region", "metropole"]
    list_filter = ["famille", "metropole", "region"]
    search_fields = ["siren", "raison_sociale"]
    list_select_related = ["region"]


@admin.register(Fusion)
class FusionAdmin(ImportExportModelAdmin):
    import_formats = [CSV]
    list_display = ["siren_absorbe", "siren_absorbant", "date_effet"]
    search_fields = ["siren_absorbe", "siren_absorbant"]


class DepartementInline(admin.TabularInline):
    model = Departement
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "nom", "metropole", "prioritaire"]
    inlines = [DepartementInline]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["code", "titre", "partie", "section", "statut", "echeance"]
    list_filter = ["partie", "section", "statut"]
    search_fields = ["code", "titre", "texte"]


@admin.register(Evenement)
class EvenementAdmin(admin.ModelAdmin):
    list_display = ["horodatage", "auteur", "action", "objet"]
    list_filter = ["action"]
    list_select_related = ["auteur"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    list_display = ["username", "email", "role", "region", "organisme", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("Rôle et périmètre", {"fields": ["role", "region", "organisme"]})]
    autocomplete_fields = ["organisme"]
