"""Sign-ins, failures, lockout (django-axes) and sign-outs: each is refused or let through, and journaled."""

import logging

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from pacte import journal_securite
from pacte.enums import Role
from pacte.models import Evenement

MOT_DE_PASSE = "mot-de-passe-de-test"  # tests/factories.py


def _connexion(client, identifiant, mot_de_passe, ip="192.0.2.10"):
    return client.post(reverse("connexion"), {"username": identifiant, "password": mot_de_passe}, REMOTE_ADDR=ip)


def _evenements(action):
    return list(Evenement.objects.filter(action=action).order_by("id"))


@pytest.mark.django_db
def test_connexion_reussie_journalisee_avec_auteur_cible_et_adresse(client, personas, caplog):
    utilisateur = personas[Role.SECRETARIAT]
    with caplog.at_level(logging.INFO, logger="pacte.securite"):
        reponse = _connexion(client, utilisateur.username, MOT_DE_PASSE)
    assert reponse.status_code == 302
    [evenement] = _evenements(journal_securite.CONNEXION)
    assert evenement.auteur == utilisateur
    assert evenement.objet == utilisateur.username
    assert evenement.details["ip"] == "192.0.2.10"
    assert evenement.horodatage is not None
    assert any(journal_securite.CONNEXION in r.getMessage() and utilisateur.username in r.getMessage()
               for r in caplog.records if r.name == "pacte.securite")


@pytest.mark.django_db
def test_echec_de_connexion_journalise_identifiant_essaye_et_adresse_sans_mot_de_passe(client, personas, caplog):
    with caplog.at_level(logging.INFO, logger="pacte.securite"):
        reponse = _connexion(client, "inconnu", "devine-moi-123", ip="198.51.100.7")
    assert reponse.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in reponse.content.decode()
    [evenement] = _evenements(journal_securite.CONNEXION_ECHEC)
    assert evenement.auteur is None
    assert evenement.objet == "inconnu"
    assert evenement.details["ip"] == "198.51.100.7"
    assert "devine-moi-123" not in str(evenement.details)
    assert not any("devine-moi-123" in r.getMessage() for r in caplog.records)
    assert any(r.levelno == logging.WARNING and "inconnu" in r.getMessage()
               for r in caplog.records if r.name == "pacte.securite")


@pytest.mark.django_db
def test_deconnexion_journalisee(client, personas):
    utilisateur = personas[Role.COMITE_SUIVI]
    client.force_login(utilisateur)
    assert client.post(reverse("deconnexion"), REMOTE_ADDR="192.0.2.11").status_code == 302
    [evenement] = _evenements(journal_securite.DECONNEXION)
    assert (evenement.auteur, evenement.objet, evenement.details["ip"]) == (utilisateur, utilisateur.username,
                                                                           "192.0.2.11")


@pytest.mark.django_db
def test_mots_de_passe_devines_verrouillent_le_compte_depuis_cette_adresse(client, personas, settings):
    utilisateur = personas[Role.COMMISSION]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _connexion(client, utilisateur.username, "mauvais-mot-de-passe").status_code == 200
    verrou = _connexion(client, utilisateur.username, "mauvais-mot-de-passe")
    assert verrou.status_code == 429
    page = verrou.content.decode()
    assert "Connexion suspendue" in page and f"« {utilisateur.username} »" in page and "15 minutes" in page

    # The right password no longer opens the account from this address…
    bon = _connexion(client, utilisateur.username, MOT_DE_PASSE)
    assert bon.status_code == 429
    assert "_auth_user_id" not in client.session
    assert not _evenements(journal_securite.CONNEXION)
    # …and the lockout is journaled, with the failures before it.
    [verrouillage, *_] = _evenements(journal_securite.VERROUILLAGE)
    assert (verrouillage.objet, verrouillage.details["ip"]) == (utilisateur.username, "192.0.2.10")
    assert len(_evenements(journal_securite.CONNEXION_ECHEC)) >= settings.AXES_FAILURE_LIMIT

    # The lock is per username and address: the same user from another address, or another user, still signs in.
    assert _connexion(client, utilisateur.username, MOT_DE_PASSE, ip="192.0.2.99").status_code == 302
    client.logout()
    assert _connexion(client, personas[Role.SECRETARIAT].username, MOT_DE_PASSE).status_code == 302
    client.logout()

    # The documented unlock (docs/acces.md) lifts it.
    call_command("axes_reset_username", utilisateur.username)
    assert not AccessAttempt.objects.filter(username=utilisateur.username).exists()
    assert _connexion(client, utilisateur.username, MOT_DE_PASSE).status_code == 302


@pytest.mark.django_db
def test_la_connexion_du_client_de_test_sans_requete_marche_toujours(client, personas):
    """authenticate() without a request (test client, shell) is not guarded by axes, and not broken by it."""
    assert client.login(username=personas[Role.ORGANISME].username, password=MOT_DE_PASSE)
    assert client.get(reverse("accueil")).status_code == 200
