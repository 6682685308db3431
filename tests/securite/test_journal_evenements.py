"""Refusals, downloads and changes of a user's rights land in the security journal with actor, target and address."""

import io
import logging

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from pacte import journal_securite
from pacte.audit import contexte_audit
from pacte.demo import comptes_demo_creer
from pacte.enums import Role
from pacte.models import Evenement, Utilisateur
from pacte.services import referentiels_charger


def _evenements(action, **filtres):
    return list(Evenement.objects.filter(action=action, **filtres).order_by("id"))


def _dernier_id() -> int:
    return Evenement.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.django_db
def test_un_refus_est_journalise_page_et_api_connecte_ou_non(client, personas, caplog):
    organisme = personas[Role.ORGANISME]
    client.force_login(organisme)
    with caplog.at_level(logging.INFO, logger="pacte.securite"):
        assert client.get(reverse("administration"), REMOTE_ADDR="192.0.2.20").status_code == 403
    [refus] = _evenements(journal_securite.ACCES_REFUSE)
    assert (refus.auteur, refus.objet) == (organisme, reverse("administration"))
    assert refus.details | {"ip": "192.0.2.20", "statut": 403, "methode": "GET"} == refus.details
    assert any(r.levelno == logging.WARNING and reverse("administration") in r.getMessage() for r in caplog.records)

    client.logout()
    statut = client.get(reverse("region-list"), REMOTE_ADDR="192.0.2.21").status_code
    assert statut in (401, 403)
    anonyme = _evenements(journal_securite.ACCES_REFUSE, auteur__isnull=True)[-1]
    assert (anonyme.objet, anonyme.details["ip"], anonyme.details["statut"]) == (reverse("region-list"),
                                                                               "192.0.2.21", statut)


@pytest.mark.django_db
def test_un_telechargement_est_journalise_et_pas_une_page(client, personas):
    lecteur = personas[Role.COMITE_SUIVI]
    client.force_login(lecteur)
    assert client.get(reverse("suivi:national")).status_code == 200
    assert not _evenements(journal_securite.TELECHARGEMENT)
    reponse = client.get(reverse("suivi:national"), {"export": "production", "format": "csv"},
                         REMOTE_ADDR="192.0.2.30")
    assert reponse.status_code == 200 and "attachment" in reponse["Content-Disposition"]
    [telechargement] = _evenements(journal_securite.TELECHARGEMENT)
    assert (telechargement.auteur, telechargement.objet) == (lecteur, reverse("suivi:national"))
    assert telechargement.details["ip"] == "192.0.2.30"
    assert "export=production" in telechargement.details["parametres"]
    assert telechargement.details["type"].startswith("text/csv")


@pytest.mark.django_db
def test_un_changement_de_role_dans_l_admin_est_journalise_avec_son_auteur(client, personas):
    administrateur, cible = personas[Role.ADMINISTRATEUR], personas[Role.COMITE_SUIVI]
    client.force_login(administrateur)
    url = reverse("admin:pacte_utilisateur_change", args=[cible.pk])
    formulaire = client.get(url).context["adminform"].form
    donnees = {cle: valeur for cle, valeur in formulaire.initial.items() if valeur is not None}
    donnees.update({"role": Role.SECRETARIAT, "groups": [Group.objects.get(name=Role.SECRETARIAT.label).pk],
                    "user_permissions": [], "date_joined_0": cible.date_joined.strftime("%d/%m/%Y"),
                    "date_joined_1": cible.date_joined.strftime("%H:%M:%S")})
    donnees.pop("last_login", None)
    donnees.pop("date_joined", None)
    donnees.pop("password", None)
    depuis = _dernier_id()
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302, reponse.context["adminform"].form.errors if reponse.context else reponse
    cible.refresh_from_db()
    assert cible.role == Role.SECRETARIAT

    changements = _evenements(journal_securite.DROITS, objet=cible.username, id__gt=depuis)
    assert {e.auteur for e in changements} == {administrateur}
    details = [e.details["changements"] for e in changements]
    assert {"role": [Role.COMITE_SUIVI, Role.SECRETARIAT]} in details
    assert {"groupes": {"ajout": [Role.SECRETARIAT.label]}} in details
    assert {"groupes": {"retrait": [Role.COMITE_SUIVI.label]}} in details
    assert all(e.details["page"] == url for e in changements)


@pytest.mark.django_db
def test_un_changement_de_droits_par_commande_nomme_la_commande_et_le_compte_systeme(roles):
    referentiels_charger()
    comptes_demo_creer()
    utilisateur = Utilisateur.objects.filter(role=Role.COMMISSION).first()
    depuis = _dernier_id()
    with contexte_audit(source="commande", commande="shell"):  # an edit by hand, made in a shell
        utilisateur.is_superuser = True
        utilisateur.save()
    [promotion] = _evenements(journal_securite.DROITS, objet=utilisateur.username, id__gt=depuis)
    assert promotion.auteur is None
    assert promotion.details["changements"] == {"is_superuser": [False, True]}
    assert promotion.details["commande"] == "shell" and promotion.details["compte_systeme"]

    # A command that resets a role (the demo accounts' reset, after a role was changed in SQL behind its back).
    Utilisateur.objects.filter(pk=utilisateur.pk).update(role=Role.COMITE_SUIVI)  # no signal: like raw SQL
    call_command("creer_comptes_demo", stdout=io.StringIO())
    [*_, remise] = _evenements(journal_securite.DROITS, objet=utilisateur.username, id__gt=depuis)
    assert remise.details["changements"] == {"role": [Role.COMITE_SUIVI, Role.COMMISSION]}
    assert remise.auteur is None and remise.details["compte_systeme"]


@pytest.mark.django_db
def test_une_sauvegarde_sans_changement_de_droits_n_est_pas_journalisee(personas):
    utilisateur = personas[Role.SECRETARIAT]
    avant = Evenement.objects.filter(action=journal_securite.DROITS).count()
    utilisateur.first_name = "Camille"
    utilisateur.save()
    utilisateur.save(update_fields=["last_login"])
    assert Evenement.objects.filter(action=journal_securite.DROITS).count() == avant
