"""API tokens for programmatic clients (docs/api.md): only the SHA-256 of a token is stored, the token itself is shown
once at creation. Imported at the end of pacte/models.py so the model belongs to the pacte app."""

from django.conf import settings
from django.db import models
from django.db.models import Q

__all__ = ["JetonApi"]


class JetonApi(models.Model):
    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jetons_api")
    nom = models.CharField("libellé", max_length=100, help_text="à quoi sert le jeton (script, outil…)")
    prefixe = models.CharField("début du jeton", max_length=12, help_text="pour le reconnaître ; jamais le jeton")
    empreinte = models.CharField("SHA-256 du jeton", max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expire_le = models.DateTimeField("expire le", null=True, blank=True, help_text="vide : sans expiration")
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)
    dernier_usage = models.DateTimeField("dernier usage", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        constraints = [models.CheckConstraint(condition=Q(empreinte__regex=r"^[0-9a-f]{64}$"),
                                              name="jeton_empreinte_sha256")]

    def __str__(self):
        return f"{self.prefixe}… ({self.nom}, {self.utilisateur})"
