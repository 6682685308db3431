import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from pacte.audit import suivre
from pacte.enums import FAMILLES_HLM, Famille, Partie, Role, StatutEngagement, StatutTravail
from pacte.validators import valider_siren


class Horodate(models.Model):
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=2, primary_key=True)
    nom = models.CharField(max_length=80, unique=True)
    metropole = models.BooleanField("métropole")
    prioritaire = models.BooleanField("région prioritaire du pacte", default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = "région"

    def __str__(self):
        return self.nom


class Departement(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    nom = models.CharField(max_length=80)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self):
        return f"{self.code} – {self.nom}"


class Organisme(Horodate):
    siren = models.CharField("SIREN", max_length=9, primary_key=True, validators=[valider_siren])
    raison_sociale = models.CharField(max_length=255)
    famille = models.CharField(max_length=12, choices=Famille.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organismes", verbose_name="région")
    metropole = models.BooleanField("métropole")

    class Meta:
        ordering = ["siren"]
        constraints = [
            models.CheckConstraint(condition=Q(siren__regex=r"^[0-9]{9}$"), name="organisme_siren_9_chiffres"),
            models.CheckConstraint(condition=Q(famille__in=Famille.values), name="organisme_famille_valide"),
        ]

    def __str__(self):
        return f"{self.raison_sociale} ({self.siren})"

    @property
    def est_hlm(self) -> bool:
        return self.famille in FAMILLES_HLM


class Fusion(Horodate):
    """An absorption, as the State's systems record it: absorbing SIREN, absorbed SIREN, effective date."""

    siren_absorbant = models.CharField("SIREN absorbant", max_length=9, validators=[valider_siren])
    siren_absorbe = models.CharField("SIREN absorbé", max_length=9, unique=True, validators=[valider_siren])
    date_effet = models.DateField("date d'effet")

    class Meta:
        ordering = ["date_effet", "siren_absorbe"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(siren_absorbant=models.F("siren_absorbe")), name="fusion_pas_avec_soi_meme"
            ),
        ]

    def __str__(self):
        return f"{self.siren_absorbe} absorbé par {self.siren_absorbant} le {self.date_effet:%d/%m/%Y}"


class Engagement(Horodate):
    code = models.CharField(max_length=8, unique=True)
    partie = models.CharField(max_length=16, choices=Partie.choices)
    section = models.CharField(max_length=16)
    ordre = models.PositiveIntegerField(default=0)
    titre = models.CharField(max_length=200)
    texte = models.TextField()
    indicateur = models.CharField(max_length=255, blank=True)
    cible = models.CharField(max_length=120, blank=True)
    echeance = models.DateField("échéance", null=True, blank=True)
    statut = models.CharField(max_length=12, choices=StatutEngagement.choices, default=StatutEngagement.A_LANCER)

    class Meta:
        ordering = ["ordre", "code"]
        permissions = [("modifier_statut_engagement", "Peut mettre à jour le statut d'un engagement")]

    def __str__(self):
        return f"{self.code} – {self.titre}"


# Roles and scopes are audited (docs/audit.md); never the password or the last login.
@suivre(fields=["username", "email", "role", "region", "organisme", "is_active", "is_staff", "is_superuser"])
class Utilisateur(AbstractUser):
    """A user with one role; regional and organism users carry their scope."""

    role = models.CharField("rôle", max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name="région (périmètre)"
    )
    organisme = models.ForeignKey(
        Organisme, on_delete=models.PROTECT, null=True, blank=True, verbose_name="organisme (périmètre)"
    )

    class Meta:
        verbose_name = "utilisateur"
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.REFERENT_REGIONAL) | Q(region__isnull=False), name="referent_a_une_region"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.ORGANISME) | Q(organisme__isnull=False), name="organisme_a_un_organisme"
            ),
        ]
        permissions = [
            ("voir_administration", "Peut voir les pages d'administration de la plateforme"),
            ("gerer_referentiels", "Peut maintenir les référentiels (régions, organismes, fusions)"),
        ]


suivre(operations=("creation", "suppression"), obj_field=None, model_name="UtilisateurGroupesEvent")(
    Utilisateur.groups.through
)


class Travail(Horodate):
    """A long piece of work run on the worker; the row is the source of truth and feeds the progress bar."""

    nature = models.CharField(max_length=40)
    parametres = models.JSONField(default=dict, blank=True)
    statut = models.CharField(max_length=12, choices=StatutTravail.choices, default=StatutTravail.EN_ATTENTE)
    avancement = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    resultat = models.JSONField(default=dict, blank=True)
    cree_par = models.ForeignKey(Utilisateur, on_delete=models.SET_NULL, null=True, blank=True)
    debut = models.DateTimeField(null=True, blank=True)
    fin = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(avancement__lte=models.F("total")) | Q(total=0),
                                              name="travail_avancement_borne")]

    def __str__(self):
        return f"{self.nature} n° {self.pk} ({self.get_statut_display()})"

    @property
    def pourcentage(self) -> int:
        if self.statut == StatutTravail.TERMINE:
            return 100
        return 100 * self.avancement // self.total if self.total else 0


class Evenement(models.Model):
    """The audit trail: one row per write, written in the same transaction as the write itself."""

    horodatage = models.DateTimeField(auto_now_add=True, db_index=True)
    auteur = models.ForeignKey(Utilisateur, on_delete=models.PROTECT, null=True, blank=True)
    action = models.CharField(max_length=60)
    objet = models.CharField(max_length=120, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-horodatage", "-id"]
        verbose_name = "événement d'audit"
        triggers = [pgtrigger.Protect(name="evenement_immuable", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.horodatage:%d/%m/%Y %H:%M} {self.action} {self.objet}"


from pacte.models_appels import *  # noqa: E402, F403 - the calls-for-projects engine (docs/appels-a-projets.md)
from pacte.models_jetons import *  # noqa: E402, F403 - API tokens (docs/api.md)
