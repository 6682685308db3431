"""API tokens (docs/api.md): a valid token authenticates; a revoked, expired, unknown or malformed one answers 401
without falling back to the session; only the token's SHA-256 is stored; the command line creates, lists, revokes."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from pacte.enums import Role
from pacte.jetons import JetonRefuse, jeton_creer, jeton_revoquer
from pacte.models import Evenement, JetonApi

pytestmark = pytest.mark.django_db

ENGAGEMENTS = "/api/v1/engagements/"  # pacte.view_engagement: every role, the organism's too
EVENEMENTS = "/api/v1/evenements/"  # pacte.voir_administration: the administrator only


def _jeton(utilisateur, **options) -> str:
    return jeton_creer(acting_user=None, utilisateur=utilisateur, nom="essai", **options)[1]


def _get(client, url, jeton, mot_cle="Bearer"):
    return client.get(url, HTTP_AUTHORIZATION=f"{mot_cle} {jeton}")


def test_un_jeton_valide_authentifie_avec_les_droits_de_son_compte(client, personas):
    jeton = _jeton(personas[Role.ORGANISME])
    assert _get(client, ENGAGEMENTS, jeton).status_code == 200
    assert _get(client, ENGAGEMENTS, jeton, mot_cle="Token").status_code == 200
    assert _get(client, EVENEMENTS, jeton).status_code == 403  # the role's permissions, nothing more
    assert _get(client, EVENEMENTS, _jeton(personas[Role.ADMINISTRATEUR])).status_code == 200
    assert JetonApi.objects.get(utilisateur=personas[Role.ORGANISME]).dernier_usage is not None


def test_seule_l_empreinte_est_conservee(personas):
    ligne, jeton = jeton_creer(acting_user=None, utilisateur=personas[Role.ORGANISME], nom="script")
    assert ligne.empreinte == hashlib.sha256(jeton.encode()).hexdigest()
    assert jeton.startswith("pacte_") and len(jeton) > 40 and ligne.prefixe == jeton[:12]
    assert not JetonApi.objects.filter(empreinte=jeton).exists() and jeton not in str(JetonApi.objects.values())
    evenement = Evenement.objects.get(action="jeton_api_creer")
    assert jeton not in str(evenement.details) and evenement.objet == personas[Role.ORGANISME].username


@pytest.mark.parametrize("cas", ["revoque", "expire", "inconnu", "compte_desactive", "mal_forme"])
def test_un_jeton_refuse_repond_401_sans_se_rabattre_sur_la_session(client, personas, cas):
    utilisateur = personas[Role.ORGANISME]
    ligne, jeton = jeton_creer(acting_user=None, utilisateur=utilisateur, nom="essai")
    if cas == "revoque":
        jeton_revoquer(acting_user=None, jeton_id=ligne.pk)
    elif cas == "expire":
        JetonApi.objects.filter(pk=ligne.pk).update(expire_le=timezone.now() - timedelta(seconds=1))
    elif cas == "inconnu":
        jeton = jeton[:-4] + "AAAA"
    elif cas == "compte_desactive":
        utilisateur.is_active = False
        utilisateur.save()
    elif cas == "mal_forme":
        jeton = f"{jeton} en-trop"
    client.force_login(personas[Role.ADMINISTRATEUR])  # a valid session does not rescue a bad token
    reponse = _get(client, ENGAGEMENTS, jeton)
    assert reponse.status_code == 401, cas
    assert reponse["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "detail" in reponse.json()


def test_sans_en_tete_ni_session_l_api_repond_403(client, personas):
    assert client.get(ENGAGEMENTS).status_code == 403
    assert client.get(ENGAGEMENTS, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").status_code == 403


def test_un_jeton_ne_se_cree_ni_pour_un_compte_desactive_ni_deja_expire(personas):
    utilisateur = personas[Role.ORGANISME]
    with pytest.raises(JetonRefuse, match="futur"):
        _jeton(utilisateur, expire_le=timezone.now() - timedelta(days=1))
    utilisateur.is_active = False
    utilisateur.save()
    with pytest.raises(JetonRefuse, match="désactivé"):
        _jeton(utilisateur)


def test_commande_creer_lister_revoquer(client, personas):
    utilisateur = personas[Role.SECRETARIAT]
    utilisateur.email = "secretariat@exemple.gouv.fr"
    utilisateur.save()
    sortie = io.StringIO()
    call_command("jeton", "creer", "SECRETARIAT@exemple.gouv.fr", "--nom", "tableur", "--expire-dans", "30",
                 stdout=sortie)
    jeton = sortie.getvalue().strip().splitlines()[-1]
    ligne = JetonApi.objects.get()
    assert ligne.nom == "tableur" and timedelta(days=29) < ligne.expire_le - timezone.now() <= timedelta(days=30)
    assert _get(client, ENGAGEMENTS, jeton).status_code == 200

    liste = io.StringIO()
    call_command("jeton", "lister", stdout=liste)
    assert ligne.prefixe in liste.getvalue() and "actif" in liste.getvalue() and jeton not in liste.getvalue()

    call_command("jeton", "revoquer", str(ligne.pk), stdout=io.StringIO())
    assert _get(client, ENGAGEMENTS, jeton).status_code == 401
    assert Evenement.objects.filter(action="jeton_api_revoquer", objet=utilisateur.username).exists()
    with pytest.raises(CommandError, match="aucun compte"):
        call_command("jeton", "creer", "personne@exemple.gouv.fr", stdout=io.StringIO())
