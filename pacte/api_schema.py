"""The API schema's shared parts (docs/api.md): the bearer scheme, and the error statuses every operation may
answer, documented once here instead of on each endpoint."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView


class JetonScheme(OpenApiAuthenticationExtension):
    target_class = "pacte.api_socle.JetonAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "Jeton d'API (`manage.py jeton creer EMAIL`), envoyé en `Authorization: Bearer …`."}


Erreur = inline_serializer("Erreur", {"detail": serializers.CharField()})
ERREURS = {
    401: "Jeton invalide, révoqué ou expiré (en-tête WWW-Authenticate).",
    403: "Non connecté, ou rôle sans la permission requise.",
    404: "Introuvable ou hors du périmètre de l'utilisateur (aucune fuite d'existence).",
    429: "Trop de requêtes : réessayer après le délai de l'en-tête Retry-After.",
}


GROUPE = re.compile(r"\(\?P<(?P<nom>\w+)>(?P<motif>[^)]*)\)")
CHIFFRES = re.compile(r"^\[0-9\]\{(\d+)\}$")
MOTIF_PAR_DEFAUT = "[^/.]+"  # DRF's lookup: any segment


class SchemaPacte(AutoSchema):
    """Documents on every operation the statuses that any endpoint may answer: 401, 403, 404, 429 (and 400 on
    writes), with their ``{"detail": …}`` body; and each path parameter's URL pattern (a SIREN is nine digits, a
    year four), so that a client, or Schemathesis, knows which values reach the endpoint at all."""

    def _is_list_view(self, serializer=None):
        # A plain ViewSet's ``list`` may answer one object (a dashboard, a summary): it is a list only when it
        # says so with ``many=True``.
        if not isinstance(self.view, GenericAPIView):
            serializer = self.get_response_serializers() if serializer is None else serializer
            return is_list_serializer(serializer)
        return super()._is_list_view(serializer)

    def _get_parameters(self):
        parametres = super()._get_parameters()
        motifs = {m["nom"]: m["motif"] for m in GROUPE.finditer(self.path_regex)}
        for parametre in parametres:
            motif = motifs.get(parametre["name"]) if parametre["in"] == "path" else None
            if not motif or motif == MOTIF_PAR_DEFAUT:
                continue
            schema = parametre["schema"]
            chiffres = CHIFFRES.match(motif)
            if schema.get("type") == "integer" and chiffres:
                taille = int(chiffres.group(1))
                schema.update(minimum=10 ** (taille - 1), maximum=10**taille - 1)
            elif schema.get("type") == "string":
                schema["pattern"] = f"^{motif}$"
        return parametres

    def _get_response_bodies(self, direction="response"):
        reponses = super()._get_response_bodies(direction)
        erreurs = dict(ERREURS)
        if self.method in ("POST", "PUT", "PATCH"):
            erreurs[400] = "Données refusées : le motif par champ ou dans « detail »."
        for statut, description in erreurs.items():
            if str(statut) not in reponses:
                # A 400 carries DRF's errors per field (an object) or a list of messages: any JSON.
                corps = OpenApiTypes.ANY if statut == 400 else Erreur  # noqa: PLR2004
                reponses[str(statut)] = self._get_response_for_code(
                    OpenApiResponse(corps, description=description), str(statut), direction=direction)
        return reponses
