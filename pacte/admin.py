from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from pacte.models import Departement, Engagement, Evenement, Fusion, Organisme, Region, Utilisateur


class OrganismeResource(resources.ModelResource):
    class Meta:
        model = Organisme
        import_id_fields = ["siren"]
        fields = ["siren", "raison_sociale", "famille", "region", "metropole"]


@admin.register(Organisme)
class OrganismeAdmin(ImportExportModelAdmin):
    resource_classes = [OrganismeResource]
    list_display = ["siren", "raison_sociale", "famille", "region", "metropole"]
    list_filter = ["famille", "metropole", "region"]
    search_fields = ["siren", "raison_sociale"]
    list_select_related = ["region"]


@admin.register(Fusion)
class FusionAdmin(ImportExportModelAdmin):
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
