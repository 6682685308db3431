"""Both calls in a real browser: an organism applies, the committee asks for a completion, the organism completes,
two members score, the manager decides; the envelope and the 36-month ceiling refuse an over-grant, saying why."""

import datetime
from decimal import Decimal

import pytest

from innovation.models import EnveloppeInnovation
from pacte.enums import Role
from pacte.models_appels import Candidature
from tests.appels.factories import AppelFactory, CandidatureFactory, ProjetInnovationFactory, ThemeFactory
from tests.factories import UtilisateurFactory
from tests.navigateur.conftest import MOT_DE_PASSE

pytestmark = pytest.mark.browser


def _connecter(page, utilisateur):
    page.goto("/connexion/")
    page.get_by_label("Identifiant", exact=True).fill(utilisateur.username)
    page.get_by_label("Mot de passe", exact=True).fill(MOT_DE_PASSE)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def _transition(page, url, vers, motif=""):
    page.goto(url)
    formulaire = page.locator("form", has=page.locator(f"input[name=vers][value={vers}]"))
    if motif:
        formulaire.locator("textarea").fill(motif)
    with page.expect_navigation():
        formulaire.get_by_role("button").click()


def _noter(page, url, note):
    page.goto(url)
    formulaire = page.locator("#notation")
    for champ in formulaire.locator("input[type=number]").all():
        champ.fill(str(note))
    with page.expect_navigation():
        formulaire.get_by_role("button").click()


def _decider(page, url, montant):
    page.goto(url)
    page.get_by_label("Montant accordé (€)").fill(montant)
    page.get_by_label("Motifs de la décision").fill("Projet innovant et reproductible.")
    with page.expect_navigation():
        page.locator("#decision").get_by_role("button").click()


def test_parcours_complet_et_refus_explique(ouvrir_onglet, comptes, captures):
    EnveloppeInnovation.objects.create(annee=2026, montant=Decimal("300000.00"))
    appel = AppelFactory(annee=2026, titre="Fonds d'innovation – appel d'essai",
                         date_ouverture=datetime.date(2013, 1, 1), date_cloture=datetime.date(2099, 12, 31))
    ThemeFactory()
    organisme = comptes[Role.ORGANISME].organisme
    # The organism already received 420 000 € within 36 months: 80 000 € remain under its ceiling.
    ProjetInnovationFactory(candidature__organisme=organisme, candidature__appel__annee=2025,
                            candidature__retenue=True, candidature__montant_accorde=Decimal("420000.00"))
    membre_2 = UtilisateurFactory(username="membre-2", role=Role.COMITE_ORIENTATION)

    page = ouvrir_onglet()
    _connecter(page, comptes[Role.ORGANISME])
    page.goto(f"/innovation/appels/{appel.pk}/")
    page.get_by_role("link", name="Déposer une candidature").click()
    page.get_by_label("Intitulé du projet").fill("Maquette numérique du patrimoine")
    page.get_by_label("Résumé du projet").fill("Exploiter la maquette numérique en gestion.")
    page.get_by_label("Thème").select_option(label="Développement et modernisation du patrimoine")
    page.get_by_label("Montant demandé (€)").fill("100 000")
    page.get_by_label("Coût total du projet (€)").fill("250 000")
    page.get_by_label("Autres financements publics (€)").fill("0")
    page.get_by_label("Début du projet").fill("2099-01-01")
    page.get_by_label("Durée du projet (mois)").fill("24")
    with page.expect_navigation():
        page.get_by_role("button", name="Déposer la candidature").click()
    assert "déposée" in page.locator("main").inner_text()
    candidature = Candidature.objects.exclude(appel__annee=2025).get()
    url = f"/innovation/candidatures/{candidature.pk}/"

    comite = ouvrir_onglet()
    _connecter(comite, comptes[Role.COMITE_ORIENTATION])
    _transition(comite, url, "A_COMPLETER", "Joindre le plan de financement détaillé.")
    assert comite.locator("#statut").text_content() == "À compléter"

    _transition(page, url, "DEPOSEE", "Plan de financement joint.")
    assert page.locator("#statut").text_content() == "Déposée"
    assert "Joindre le plan de financement détaillé." in page.locator("#historique").inner_text()

    _transition(comite, url, "RECEVABLE")
    _noter(comite, url, 16)
    second = ouvrir_onglet()
    _connecter(second, membre_2)
    _noter(second, url, 12)
    _transition(comite, url, "INSTRUITE")

    gestion = ouvrir_onglet()
    _connecter(gestion, comptes[Role.EQUIPE_USH])
    gestion.goto(url)
    assert gestion.locator("#moyenne-generale").inner_text() == "14,0"
    _decider(gestion, url, "100 000")
    alerte = gestion.locator(".fr-alert--error").inner_text()
    assert "déjà reçu 420\u00a0000,00\u00a0€" in alerte and "laisse 80\u00a0000,00\u00a0€" in alerte
    gestion.screenshot(path=captures / "appels-refus-plafond.png", full_page=True)

    # Another organism's file: the year's envelope (300 000 €) has 300 000 € left, 300 000,01 € is refused.
    autre = ProjetInnovationFactory(candidature__appel=appel, candidature__statut="INSTRUITE",
                                    cout_total=Decimal("1000000.00")).candidature
    _decider(gestion, f"/innovation/candidatures/{autre.pk}/", "300 000,01")
    assert "L'enveloppe 2026 du fonds" in gestion.locator(".fr-alert--error").inner_text()

    _decider(gestion, url, "80 000")
    assert gestion.locator("#statut").text_content() == "Retenue"
    assert gestion.locator("#montant-accorde").inner_text() == "80\u00a0000,00\u00a0€"
    page.goto(url)
    assert page.get_by_role("link", name="Lettre de décision (PDF)").is_visible()
    assert CandidatureFactory._meta.model.objects.get(pk=candidature.pk).statut == "RETENUE"
