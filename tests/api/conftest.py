"""A small dataset behind every API resource, so that the API's answers are not empty, and a token per persona."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache

from mutualisation.models import Ajustement, ApprobationCalcul, BaremeVariante
from pacte.enums import Role
from pacte.jetons import jeton_creer
from pacte.models import Evenement
from pacte.models_appels import Commentaire
from suivi.models import HistoriqueBlocage
from tests.appels.factories import AppelFactory, ProjetAccompagneFactory, ProjetInnovationFactory
from tests.factories import (
    AgrementFactory,
    CalculFactory,
    DepartementFactory,
    EngagementFactory,
    ImportFichierFactory,
    ObjectifFactory,
    RehabilitationFactory,
)
from tests.mutualisation.test_pages import construire_campagne
from tests.suivi.fabriques_comite import (
    BonnePratiqueFactory,
    DiagnosticFactory,
    MiseAJourFactory,
    PointDeBlocageFactory,
    ReunionFactory,
    rapport_termine,
)


@pytest.fixture(autouse=True)
def debits_remis_a_zero():
    """The throttles count in the default cache (per process): each test starts and ends with fresh counters."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Donnees:
    valeurs_des_chemins: dict  # OpenAPI path → {path parameter: a value that exists}
    jetons: dict  # role → bearer token


@pytest.fixture
def donnees_api(personas) -> Donnees:
    campagne = construire_campagne(personas)
    oph, calcul = campagne["oph"], campagne["calcul"]
    region = oph.region
    departement = DepartementFactory(region=region)
    AgrementFactory(organisme=oph, siren=oph.siren, region=region, departement=departement)
    RehabilitationFactory(organisme=oph, siren=oph.siren, region=region, departement=departement)
    ObjectifFactory(region=region)
    ApprobationCalcul.objects.create(calcul=calcul, membre=personas[Role.COMMISSION])
    variante = BaremeVariante.objects.create(campagne=calcul.campagne, nom="Frais à 1 %",
                                             valeurs={"frais_gestion": "1.00"},
                                             modifications={"frais_gestion": ["0.00", "1.00"]},
                                             auteur=personas[Role.COMMISSION])
    simulation = CalculFactory(campagne=calcul.campagne, simulation=True, variante=variante,
                               lance_par=personas[Role.COMMISSION])
    import_fichier = ImportFichierFactory()
    Ajustement.objects.create(campagne=calcul.campagne, organisme=oph, montant=Decimal("-1500.00"),
                              motif="Correction d'une base.", auteur=personas[Role.COMMISSION])

    engagement = EngagementFactory(code="API1")
    mise_a_jour = MiseAJourFactory(engagement=engagement, auteur=personas[Role.SECRETARIAT])
    reunion = ReunionFactory()
    blocage = PointDeBlocageFactory(region=region, reunion=reunion)
    HistoriqueBlocage.objects.create(point=blocage, auteur=personas[Role.SECRETARIAT], statut="EN_TRAITEMENT",
                                     changements={"statut": ["OUVERT", "EN_TRAITEMENT"]}, commentaire="Relancé.")
    pratique = BonnePratiqueFactory(region=region, organisme=oph)
    diagnostic = DiagnosticFactory(region=region)
    rapport = rapport_termine()

    appel = AppelFactory()
    candidature = ProjetInnovationFactory(candidature__appel=appel, candidature__organisme=oph,
                                          candidature__retenue=True).candidature
    Commentaire.objects.create(candidature=candidature, auteur=personas[Role.COMITE_ORIENTATION],
                               texte="Avis du comité.", interne=True)
    ProjetAccompagneFactory(candidature__organisme=oph, region=region)

    evenement = Evenement.objects.order_by("pk").first() or Evenement.objects.create(action="essai")
    identifiants = {
        "/api/v1/appels/appels/{id}/": appel.pk, "/api/v1/appels/appels/{id}/synthese/": appel.pk,
        "/api/v1/appels/candidatures/{id}/": candidature.pk, "/api/v1/evenements/{id}/": evenement.pk,
        "/api/v1/mutualisation/calculs/{id}/": calcul.pk, "/api/v1/mutualisation/imports/{id}/": import_fichier.pk,
        "/api/v1/mutualisation/imports/{id}/rapport/": import_fichier.pk,
        "/api/v1/mutualisation/campagnes/{annee}/simulations/{id}/": simulation.pk,
        "/api/v1/suivi/blocages/{id}/": blocage.pk, "/api/v1/suivi/bonnes-pratiques/{id}/": pratique.pk,
        "/api/v1/suivi/diagnostics/{id}/": diagnostic.pk, "/api/v1/suivi/rapports/{id}/": rapport.pk,
        "/api/v1/suivi/reunions/{id}/": reunion.pk, "/api/v1/suivi/mises-a-jour-engagements/{id}/": mise_a_jour.pk,
        "/api/v1/utilisateurs/{id}/": personas[Role.ORGANISME].pk,
    }
    codes = {"/api/v1/engagements/{code}/": engagement.code, "/api/v1/suivi/departements/{code}/": departement.code}
    valeurs = {}
    for chemin, valeur in identifiants.items():
        valeurs[chemin] = {"id": valeur}
    for chemin, valeur in codes.items():
        valeurs[chemin] = {"code": valeur}
    communs = {"annee": calcul.campagne.annee, "siren": oph.siren, "code": region.code}
    jetons = {role: jeton_creer(acting_user=None, utilisateur=utilisateur, nom="schemathesis")[1]
              for role, utilisateur in personas.items()}
    return Donnees(valeurs_des_chemins={"*": communs, **valeurs}, jetons=jetons)
