"""Schemathesis against the drf-spectacular schema, once anonymous and once per role (docs/api.md).

Every operation of the schema is called in-process through the Django WSGI application: first with path parameters
that exist in the dataset (so that detail answers are real, scoped rows), then with a few generated cases
(derandomized: the same cases on every run). Each answer must be no server error, a documented status, of a
documented content type and inside its documented schema. The writes of the schema (barème, run launch, import) are
called too: their generated bodies are refused (400) or applied to this test's rolled-back database.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pacte.enums import Role

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXEMPLES_GENERES = 3  # per operation and role: 50 operations × 10 identities stay within the two-minute budget
BASE = "http://testserver"


@pytest.fixture(scope="module")
def schema():
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def application():
    """The WSGI application, without the per-request connection closing the test client also disables: the
    requests run inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _valeurs(donnees, operation) -> dict:
    communs, propres = donnees.valeurs_des_chemins["*"], donnees.valeurs_des_chemins.get(operation.path, {})
    noms = [parametre.name for parametre in operation.path_parameters]
    return {nom: propres.get(nom, communs.get(nom)) for nom in noms}


def _verifier(case, application, entetes: dict) -> int:
    reponse = case.call(app=application, base_url=BASE, headers=entetes)
    case.validate_response(reponse, checks=CHECKS, headers=entetes)
    return reponse.status_code


@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: role or "anonyme")
def test_schemathesis(schema, application, donnees_api, role):
    entetes = {"Authorization": f"Bearer {donnees_api.jetons[role]}"} if role else {}
    statuts = []
    operations = [resultat.ok() for resultat in schema.get_all_operations()]
    assert len(operations) >= 45

    for operation in operations:
        if operation.method.upper() == "GET":
            statuts.append(_verifier(operation.Case(path_parameters=_valeurs(donnees_api, operation)),
                                     application, entetes))

        @given(case=operation.as_strategy())
        @settings(max_examples=EXEMPLES_GENERES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def cas_generes(case):
            _verifier(case, application, entetes)

        cas_generes()

    # Non-trivial: anonymous is refused everywhere; a signed-in role reads real rows somewhere.
    if role is None:
        assert set(statuts) == {403}
    else:
        assert 200 in statuts
