"""Cross-scope reads answer 404, exactly like an object that does not exist: no existence leak (docs/acces.md).

An organism user asking for another organism's notice, results or applications gets the same 404 as for a SIREN or
a number that exists nowhere, while a national reader gets the same URL (proof that the object is there). Every URL
an organism user may open with a parameter is either listed here or declared national (not scoped): a new one
fails until someone decides.
"""

import pytest
from django.urls import get_resolver, reverse

from pacte.enums import Role
from tests.appels.factories import ProjetAccompagneFactory, ProjetInnovationFactory
from tests.factories import CalculFactory, OrganismeFactory, RegionFactory, siren_avec_cle
from tests.mutualisation.fabriques_cycle import ANNEE, lot_avis_termine
from tests.politique_acces import ORG, POLITIQUE
from tests.test_acces import _motifs

INEXISTANT_SIREN = siren_avec_cle(99999998)
INEXISTANT_PK = 999_999_999

# URL name → (parameters naming the other organism's object, the same naming nothing). Filled by the fixture.
PERIMETRE_ORGANISME = ("mutualisation:organisme", "mutualisation:avis-pdf", "mutualisation-avis-detail",
                       "organisme-detail", "innovation:candidature", "innovation:lettre",
                       "logements_accompagnes:candidature", "logements_accompagnes:lettre",
                       "appels-candidature-detail")
# URLs an organism user may open with a parameter that names nothing of another organism's.
NATIONALES = {"engagement", "engagement-detail", "innovation:appel", "innovation:deposer",
              "logements_accompagnes:appel", "logements_accompagnes:deposer", "appels-appel-detail",
              "appels-appel-synthese", "suivi-mise-a-jour-detail"}


@pytest.fixture
def autre_organisme(personas, settings, tmp_path):
    settings.FICHIERS_DIR = tmp_path
    autre = OrganismeFactory(region=RegionFactory(code="93", nom="Provence-Alpes-Côte d’Azur"))
    CalculFactory(campagne__annee=ANNEE)
    lot_avis_termine(ANNEE)  # a notice file for every organism, the other one's included
    innovation = ProjetInnovationFactory(candidature__organisme=autre, candidature__retenue=True).candidature_id
    accompagnee = ProjetAccompagneFactory(candidature__organisme=autre, candidature__retenue=True).candidature_id
    siren = {"annee": ANNEE, "siren": autre.siren}, {"annee": ANNEE, "siren": INEXISTANT_SIREN}
    return {
        "mutualisation:organisme": siren, "mutualisation:avis-pdf": siren, "mutualisation-avis-detail": siren,
        "organisme-detail": ({"siren": autre.siren}, {"siren": INEXISTANT_SIREN}),
        **{nom: ({"pk": innovation}, {"pk": INEXISTANT_PK})
           for nom in ("innovation:candidature", "innovation:lettre", "appels-candidature-detail")},
        **{nom: ({"pk": accompagnee}, {"pk": INEXISTANT_PK})
           for nom in ("logements_accompagnes:candidature", "logements_accompagnes:lettre")},
    }


def _statut(client, methode, url):
    reponse = client.generic(methode, url)
    if reponse.streaming:
        b"".join(reponse.streaming_content)
    return reponse.status_code


def test_chaque_url_parametree_d_un_organisme_est_classee():
    def ouverte_aux_organismes(nom):
        regle = POLITIQUE.get(nom, {}).get("GET")
        return regle is not None and ORG in regle.roles

    ouvertes = {nom for nom, motif in _motifs(get_resolver())
                if motif.pattern.regex.groupindex and ouverte_aux_organismes(nom)}
    inclassees = ouvertes - set(PERIMETRE_ORGANISME) - NATIONALES
    assert not inclassees, f"URL ouvertes aux organismes, à classer (périmètre ou nationale) : {sorted(inclassees)}"


@pytest.mark.django_db
def test_les_objets_d_un_autre_organisme_repondent_404_comme_l_inexistant(client, personas, autre_organisme):
    ecarts = []
    for nom, (autre, inexistant) in autre_organisme.items():
        url_autre, url_inexistant = reverse(nom, kwargs=autre), reverse(nom, kwargs=inexistant)
        client.force_login(personas[Role.ORGANISME])
        for methode in ("GET", "POST") if "candidature" in nom and ":" in nom else ("GET",):
            vus = (_statut(client, methode, url_autre), _statut(client, methode, url_inexistant))
            if vus != (404, 404):
                ecarts.append(f"organisme {methode} {nom} : autre {vus[0]}, inexistant {vus[1]} (404 attendu)")
        client.force_login(personas[Role.ADMINISTRATEUR])
        if (statut := _statut(client, "GET", url_autre)) != 200:
            ecarts.append(f"administrateur GET {nom} : {statut} — l'objet de l'autre organisme devrait exister")
    assert not ecarts, "\n".join(ecarts)


@pytest.mark.django_db
def test_l_organisme_lit_les_siens(client, personas, settings, tmp_path):
    """The control: the same URLs with the organism's own SIREN answer 200."""
    settings.FICHIERS_DIR = tmp_path
    CalculFactory(campagne__annee=ANNEE)
    lot_avis_termine(ANNEE)
    siren = personas[Role.ORGANISME].organisme.siren
    client.force_login(personas[Role.ORGANISME])
    for nom in ("mutualisation:organisme", "mutualisation:avis-pdf", "mutualisation-avis-detail"):
        assert _statut(client, "GET", reverse(nom, kwargs={"annee": ANNEE, "siren": siren})) == 200, nom
    assert _statut(client, "GET", reverse("organisme-detail", kwargs={"siren": siren})) == 200


@pytest.mark.django_db
def test_un_referent_lit_le_national_mais_ne_modifie_que_sa_region(client, personas):
    """domain.md §1: a referent reads everything national. Another region's diagnostic is readable, so refusing its
    edit with 403 leaks nothing (docs/acces.md); an unknown region is 404 either way."""
    RegionFactory(code="93", nom="Provence-Alpes-Côte d’Azur")
    client.force_login(personas[Role.REFERENT_REGIONAL])
    assert client.get(reverse("suivi:region", kwargs={"code": "93"})).status_code == 200
    assert client.get(reverse("suivi:diagnostic", kwargs={"annee": 2014, "code": "93"})).status_code == 200
    assert client.get(reverse("suivi:diagnostic-modifier", kwargs={"annee": 2014, "code": "93"})).status_code == 403
    propre = personas[Role.REFERENT_REGIONAL].region_id
    assert client.get(reverse("suivi:diagnostic-modifier", kwargs={"annee": 2014, "code": propre})).status_code == 200
