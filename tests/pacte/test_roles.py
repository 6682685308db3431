import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError
from django.urls import reverse

from pacte import selectors
from pacte.demo import COMPTES_DEMO, comptes_demo_creer
from pacte.enums import Role
from pacte.models import Utilisateur
from pacte.roles import PERMISSIONS_PAR_ROLE
from pacte.services import referentiels_charger
from tests.factories import OrganismeFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_chaque_role_est_un_groupe_aux_permissions_explicites(roles):
    for role in Role:
        groupe = Group.objects.get(name=role.label)
        tenues = {f"{p.content_type.app_label}.{p.codename}" for p in groupe.permissions.select_related("content_type")}
        attendues = PERMISSIONS_PAR_ROLE[role]
        if attendues == {"*"}:
            assert len(tenues) == Permission.objects.count()
        else:
            assert tenues == attendues, role


def test_seul_l_administrateur_voit_l_administration(personas):
    for role, utilisateur in personas.items():
        assert utilisateur.has_perm("pacte.voir_administration") == (role == Role.ADMINISTRATEUR), role


def test_perimetre_organisme_et_region_dans_les_selecteurs(personas):
    autre = OrganismeFactory(region=RegionFactory(code="93", nom="Provence-Alpes-Côte d'Azur"))
    bailleur = personas[Role.ORGANISME]
    assert list(selectors.organismes_visibles(bailleur)) == [bailleur.organisme]
    referent = personas[Role.REFERENT_REGIONAL]
    assert autre in selectors.organismes_visibles(referent)  # regional users read everything national
    assert list(selectors.regions_modifiables(referent)) == [referent.region]
    assert not selectors.regions_modifiables(personas[Role.COMITE_SUIVI]).exists()
    assert selectors.regions_modifiables(personas[Role.ADMINISTRATEUR]).count() == 2


def test_le_perimetre_s_applique_aussi_a_l_api(client, personas):
    autre = OrganismeFactory()
    client.force_login(personas[Role.ORGANISME])
    sirens = [o["siren"] for o in client.get(reverse("organisme-list")).json()["results"]]
    assert sirens == [personas[Role.ORGANISME].organisme_id]
    assert client.get(reverse("organisme-detail", kwargs={"siren": autre.siren})).status_code == 404


def test_un_referent_sans_region_est_refuse_par_la_base(roles):
    with pytest.raises(IntegrityError):
        Utilisateur.objects.create(username="sans-region", role=Role.REFERENT_REGIONAL)


def test_comptes_de_demo_un_par_role(roles, client):
    referentiels_charger()
    comptes = comptes_demo_creer()
    assert {c["role"] for c in comptes} == {r.label for r in Role}
    assert len(comptes) == len(COMPTES_DEMO)
    for compte in comptes:
        assert client.login(username=compte["identifiant"], password=compte["mot_de_passe"]), compte
    assert comptes_demo_creer() == comptes  # running it again resets, never duplicates
    assert Utilisateur.objects.count() == len(COMPTES_DEMO)
