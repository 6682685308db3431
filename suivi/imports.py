"""Where the suivi's files land: agrements, rehabilitations and objectifs (formats.md), written by the imports of
mutualisation.imports (COPY into a temporary table, INSERT … ON CONFLICT by key, all-or-nothing, duplicates refused,
ImportFichier row and audit event in the same transaction). Registered when the app is ready.

- agrements: key numero_operation + produit; rehabilitations: key numero_operation.
  The SIREN is the maître d'ouvrage as the State's extract gives it: it may be a body the organismes file does not
  know (SEM, commune, private investor for a PLS). It is kept as such, and the `organisme` link is filled when the
  SIREN is a known organism (also when a corrected extract is imported after the organism).
- objectifs: key annee + code_region; `FR` is the national line, stored without region.
- code_region and code_departement must exist in the referentials, and the département belong to the region
  (pacte.lecture.declarations).
"""

from psycopg import sql

from mutualisation.imports import Cible, enregistrer_cible
from pacte.lecture import AGREMENTS, OBJECTIFS, REHABILITATIONS, Regle, valeur_connue
from pacte.models import Departement, Organisme, Region
from suivi.models import Agrement, Objectif, Rehabilitation

NATIONAL = "FR"
CHAMPS_TERRITOIRE = {"code_region": "region", "code_departement": "departement"}
MOTIF_REGION = "code région absent du référentiel des régions"
MOTIF_DEPARTEMENT = "code département absent du référentiel des départements"


def _organisme_connu() -> sql.Composable:
    """The organism of the line's SIREN, or NULL for a body the organismes file does not know."""
    pk = sql.Identifier(Organisme._meta.pk.column)
    return sql.SQL("(SELECT o.{pk} FROM {table} o WHERE o.{pk} = t.siren)").format(
        pk=pk, table=sql.Identifier(Organisme._meta.db_table))


def _territoire() -> list[Regle]:
    return [
        valeur_connue("code_region", Region.objects.values_list("code", flat=True), MOTIF_REGION),
        valeur_connue("code_departement", Departement.objects.values_list("code", flat=True), MOTIF_DEPARTEMENT),
    ]


def _regions_et_national() -> list[Regle]:
    codes = [*Region.objects.values_list("code", flat=True), NATIONAL]
    return [valeur_connue("code_region", codes, MOTIF_REGION + f" (ou {NATIONAL} pour la ligne nationale)")]


AGREMENTS_CIBLE = enregistrer_cible("agrements", Cible(
    AGREMENTS, Agrement, CHAMPS_TERRITOIRE, referentiels=_territoire, derivees={"organisme": _organisme_connu()}))
REHABILITATIONS_CIBLE = enregistrer_cible("rehabilitations", Cible(
    REHABILITATIONS, Rehabilitation, CHAMPS_TERRITOIRE, referentiels=_territoire,
    derivees={"organisme": _organisme_connu()}))
OBJECTIFS_CIBLE = enregistrer_cible("objectifs", Cible(
    OBJECTIFS, Objectif, {"code_region": "region"}, referentiels=_regions_et_national, nuls={"code_region": NATIONAL}))
