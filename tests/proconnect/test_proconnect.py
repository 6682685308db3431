"""ProConnect sign-in against the local provider: who gets in, and every forged or altered answer refused."""

import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from django.contrib.auth.signals import user_login_failed
from django.urls import reverse
from django.utils.html import escape

from pacte import proconnect as module
from tests.factories import UtilisateurFactory
from tests.proconnect.conftest import CLIENT_SECRET, reglages_de


def aller_chez_proconnect(client, fournisseur, suivant: str = "") -> str:
    """Pacte → ProConnect and back: the callback URL the browser would be sent to (not yet requested)."""
    depart = client.get(reverse("proconnect:connexion") + (f"?next={suivant}" if suivant else ""))
    assert depart.status_code == 302
    assert depart["Location"].startswith(f"{fournisseur.url}/authorize?")
    chez = requests.get(depart["Location"], allow_redirects=False, timeout=5)
    assert chez.status_code == 302, chez.text
    return chez.headers["Location"]


def connecte(client):
    return client.get(reverse("accueil")).status_code == 200


def refus(client, retour: str, message: str):
    """The callback refuses: back on the login page, the reason shown, nobody signed in."""
    reponse = client.get(retour, follow=True)
    assert reponse.redirect_chain[-1][0] == reverse("connexion")
    assert escape(message) in reponse.content.decode()
    assert "_auth_user_id" not in client.session
    assert not connecte(client)


@pytest.fixture
def echecs():
    """The failed sign-ins Django reports (user_login_failed): what axes counts and the security journal logs."""
    requetes = []

    def recepteur(sender, credentials, request=None, **kwargs):
        requetes.append(request)

    user_login_failed.connect(recepteur)
    yield requetes
    user_login_failed.disconnect(recepteur)


@pytest.fixture
def agent(roles):
    return UtilisateurFactory(username="camille", email="Agent@Exemple.GOUV.fr")


@pytest.mark.django_db
def test_un_agent_enregistre_se_connecte_et_arrive_ou_il_allait(client, proconnect, agent):
    retour = aller_chez_proconnect(client, proconnect, suivant=reverse("organismes"))
    demande = proconnect.autorisations[-1]
    assert demande["scope"] == "openid email given_name usual_name uid siret"
    assert demande["redirect_uri"] == "http://testserver/proconnect/retour/"
    assert len(demande["nonce"]) >= 32 and len(demande["state"]) >= 32

    reponse = client.get(retour)

    assert reponse.status_code == 302 and reponse["Location"] == reverse("organismes")
    assert int(client.session["_auth_user_id"]) == agent.pk  # the e-mail matched whatever its case
    assert client.session["_auth_user_backend"] == "pacte.proconnect.BackendProConnect"
    assert jwt.decode(client.session["oidc_id_token"], options={"verify_signature": False})["nonce"] == demande["nonce"]
    assert connecte(client)


@pytest.mark.django_db
def test_une_adresse_sans_compte_pacte_est_refusee_et_aucun_compte_cree(client, proconnect, agent, echecs):
    proconnect.reinitialiser(email="inconnu@exemple.gouv.fr")
    refus(client, aller_chez_proconnect(client, proconnect), module.message_inconnu("inconnu@exemple.gouv.fr"))
    assert len(echecs) == 1 and echecs[0] is not None
    assert not type(agent).objects.filter(email__iexact="inconnu@exemple.gouv.fr").exists()


@pytest.mark.django_db
def test_deux_comptes_pour_la_meme_adresse_sont_refuses(client, proconnect, agent):
    UtilisateurFactory(username="camille-bis", email="agent@exemple.gouv.fr")
    refus(client, aller_chez_proconnect(client, proconnect), module.message_doublon("agent@exemple.gouv.fr"))


@pytest.mark.django_db
def test_un_compte_desactive_est_refuse(client, proconnect, agent):
    agent.is_active = False
    agent.save()
    refus(client, aller_chez_proconnect(client, proconnect), module.message_desactive("agent@exemple.gouv.fr"))


@pytest.mark.django_db
def test_un_compte_desactive_apres_la_connexion_perd_sa_session(client, proconnect, agent):
    client.get(aller_chez_proconnect(client, proconnect))
    assert connecte(client)
    type(agent).objects.filter(pk=agent.pk).update(is_active=False)
    assert client.get(reverse("accueil")).status_code == 302  # anonymous again: not a signed-in inactive user (403)


def _remplacer_state(retour: str, state: str) -> str:
    morceaux = urlsplit(retour)
    code = parse_qs(morceaux.query)["code"][0]
    return f"{morceaux.path}?code={code}&state={state}"


@pytest.mark.django_db
def test_un_state_altere_est_refuse_sans_appeler_le_fournisseur(client, proconnect, agent, echecs):
    retour = aller_chez_proconnect(client, proconnect)
    refus(client, _remplacer_state(retour, "state-forge"), module.MESSAGE_SESSION)
    assert proconnect.codes, "the code was never exchanged"
    assert len(echecs) == 1 and echecs[0] is not None


@pytest.mark.django_db
def test_un_retour_rejoue_est_refuse(client, proconnect, agent):
    retour = aller_chez_proconnect(client, proconnect)
    client.get(retour)
    client.logout()
    refus(client, retour, module.MESSAGE_SESSION)  # the state was used once, then forgotten


@pytest.mark.django_db
def test_un_retour_dans_un_autre_navigateur_est_refuse(client, proconnect, agent):
    from django.test import Client

    retour = aller_chez_proconnect(client, proconnect)
    refus(Client(), retour, module.MESSAGE_SESSION)  # login CSRF: the victim's browser never started this login


AUTRE_CLE = {"userinfo_cle": "autre"}
ALTERATIONS = {
    "nonce différent": {"id_token": {"nonce": "un-autre-nonce"}},
    "userinfo signée par une autre clé": AUTRE_CLE,
    "id_token signé par une autre clé": {"id_token_cle": "autre"},
    "userinfo alg none": {"userinfo_alg": "none"},
    "id_token alg none": {"id_token_alg": "none"},
    "userinfo en JSON non signé": {"userinfo_json": True},
    "userinfo pour un autre client": {"userinfo": {"aud": "un-autre-client"}},
    "userinfo d'un autre émetteur": {"userinfo": {"iss": "https://faux.example/api/v2"}},
    "id_token d'un autre émetteur": {"id_token": {"iss": "https://faux.example/api/v2"}},
    "id_token pour un autre client": {"id_token": {"aud": "un-autre-client"}},
    "id_token expiré": {"id_token": {"exp": int(time.time()) - 3600}},
    "userinfo d'un autre agent (sub)": {"userinfo": {"sub": "sub-de-quelqu-un-d-autre"}},
}


@pytest.mark.parametrize("alteration", ALTERATIONS.values(), ids=ALTERATIONS.keys())
@pytest.mark.django_db
def test_une_reponse_alteree_du_fournisseur_est_refusee(client, proconnect, agent, alteration, echecs):
    proconnect.alterations = alteration
    refus(client, aller_chez_proconnect(client, proconnect), module.MESSAGE_VERIFICATION)
    assert len(echecs) == 1


@pytest.mark.django_db
def test_un_refus_chez_proconnect_est_explique(client, proconnect, agent):
    client.get(reverse("proconnect:connexion"))
    state = next(iter(client.session["oidc_states"]))
    refus(client, f"{reverse('proconnect:retour')}?error=access_denied&state={state}", module.MESSAGE_ANNULEE)


@pytest.mark.django_db
def test_proconnect_injoignable(client, settings, proconnect, agent):
    retour = aller_chez_proconnect(client, proconnect)
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # discard port: connection refused
    refus(client, retour, module.MESSAGE_INDISPONIBLE)


@pytest.mark.django_db
def test_un_code_dans_l_url_de_la_connexion_par_mot_de_passe_n_appelle_pas_proconnect(client, proconnect, agent):
    url = reverse("connexion") + "?code=abc&state=def"
    reponse = client.post(url, {"username": "camille", "password": "faux"})
    assert reponse.status_code == 200 and "Identifiant ou mot de passe incorrect" in reponse.content.decode()
    client.post(url, {"username": "camille", "password": "mot-de-passe-de-test"})
    assert client.session["_auth_user_backend"] == "pacte.acces.PermissionsEnUneRequete"
    assert proconnect.jetons == {}


@pytest.mark.django_db
def test_la_deconnexion_ferme_aussi_la_session_proconnect(client, proconnect, agent):
    client.get(aller_chez_proconnect(client, proconnect))
    id_token = client.session["oidc_id_token"]

    reponse = client.post(reverse("deconnexion"))

    assert reponse["Location"].startswith(f"{proconnect.url}/session/end?")
    assert not connecte(client)
    retour = requests.get(reponse["Location"], allow_redirects=False, timeout=5)
    assert retour.headers["Location"].startswith("http://testserver/connexion/?state=")
    (fin,) = proconnect.fins_de_session
    assert fin["id_token_hint"] == id_token and fin["post_logout_redirect_uri"] == "http://testserver/connexion/"


@pytest.mark.django_db
def test_la_deconnexion_d_une_session_par_mot_de_passe_reste_locale(client, proconnect, agent):
    client.force_login(agent, backend="pacte.acces.PermissionsEnUneRequete")
    assert client.post(reverse("deconnexion"))["Location"] == reverse("connexion")
    assert proconnect.fins_de_session == []


@pytest.mark.django_db
def test_le_bouton_proconnect_quand_il_est_configure(client, proconnect):
    page = client.get(reverse("connexion") + "?next=/suivi/").content.decode()
    assert "S'identifier avec</span>" in page.replace("&#x27;", "'")
    assert f'href="{reverse("proconnect:connexion")}?next=/suivi/"' in page.replace("%2F", "/")


@pytest.mark.django_db
def test_sans_configuration_ni_bouton_ni_urls(client, roles):
    assert "ProConnect" not in client.get(reverse("connexion")).content.decode()
    for nom in ("proconnect:connexion", "proconnect:retour"):
        assert client.get(reverse(nom) + "?code=abc&state=def").status_code == 404, nom


def test_les_reglages_suivent_les_chemins_de_proconnect(fournisseur, reglages_proconnect):
    """The endpoints derived from PROCONNECT_URL_BASE are those the provider's discovery document announces."""
    decouverte = requests.get(f"{fournisseur.url}/.well-known/openid-configuration", timeout=5).json()
    assert reglages_proconnect["PROCONNECT_EMETTEUR"] == decouverte["issuer"]
    assert reglages_proconnect["OIDC_OP_AUTHORIZATION_ENDPOINT"] == decouverte["authorization_endpoint"]
    assert reglages_proconnect["OIDC_OP_TOKEN_ENDPOINT"] == decouverte["token_endpoint"]
    assert reglages_proconnect["OIDC_OP_USER_ENDPOINT"] == decouverte["userinfo_endpoint"]
    assert reglages_proconnect["OIDC_OP_JWKS_ENDPOINT"] == decouverte["jwks_uri"]
    assert reglages_proconnect["PROCONNECT_URL_FIN_SESSION"] == decouverte["end_session_endpoint"]
    assert reglages_proconnect["OIDC_RP_SIGN_ALGO"] in decouverte["userinfo_signing_alg_values_supported"]
    assert reglages_proconnect["AUTHENTICATION_BACKENDS"][0] == "pacte.acces.AxesConnexionWeb"  # axes first
    assert reglages_proconnect["AUTHENTICATION_BACKENDS"][-1] == "pacte.proconnect.BackendProConnect"
    assert "http://127.0.0.1:" + fournisseur.url.split(":")[2].split("/")[0] in (
        reglages_proconnect["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"])


@pytest.mark.parametrize("manque", ["PROCONNECT_CLIENT_ID", "PROCONNECT_CLIENT_SECRET"])
def test_une_configuration_incomplete_arrete_le_demarrage(manque):
    from django.core.exceptions import ImproperlyConfigured

    environnement = {"PROCONNECT_URL_BASE": "https://fca.integ01.dev-agentconnect.fr/api/v2",
                     "PROCONNECT_CLIENT_ID": "pacte", "PROCONNECT_CLIENT_SECRET": CLIENT_SECRET, manque: ""}
    with pytest.raises(ImproperlyConfigured, match=manque):
        reglages_de(environnement)
