"""The commission's year in a real browser (issue 4): the launcher cannot approve, members A and B approve → the year
is validated, an import for that year is then refused on the import page, the campaign is notified (the notices are
generated synchronously here, Celery eager: no worker needed), an organism user downloads its own notice and gets a
404 for another organism's. Screenshots of the campaign page, the bilan and the audit trail."""

import pytest

from mutualisation.enums import StatutCampagne
from mutualisation.models import Campagne
from mutualisation.referentiels import baremes_charger
from mutualisation.services.campagne import ajustement_enregistrer, calcul_executer, calcul_lancer
from pacte.celery import app as celery
from pacte.enums import Role
from tests.factories import OrganismeFactory, UtilisateurFactory
from tests.mutualisation.test_cycle import _donnees
from tests.navigateur.conftest import MOT_DE_PASSE

pytestmark = pytest.mark.browser

CAMPAGNE = "/mutualisation/2013/"


def _connecter(page, utilisateur):
    page.goto("/connexion/")
    page.get_by_label("Identifiant", exact=True).fill(utilisateur.username)
    page.get_by_label("Mot de passe", exact=True).fill(MOT_DE_PASSE)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def _alertes(page) -> str:
    return " ".join(page.locator(".fr-alert").all_inner_texts())


@pytest.fixture
def annee_calculee(comptes):
    from decimal import Decimal

    baremes_charger()
    membres = {nom: UtilisateurFactory(username=nom, first_name=prenom, last_name="Commission",
                                       role=Role.COMMISSION)
               for nom, prenom in (("lanceur", "Louise"), ("membre-a", "Aline"), ("membre-b", "Bruno"))}
    oph, esh = OrganismeFactory(raison_sociale="OPH de la Somme"), OrganismeFactory(raison_sociale="ESH du Nord")
    _donnees(oph, 2013, "P1-2013")
    _donnees(esh, 2013, "P2-2013")
    ajustement_enregistrer(acting_user=membres["membre-a"], annee=2013, siren=oph.siren, montant=Decimal("1500.00"),
                           motif="Opération sinistrée examinée en commission")
    calcul = calcul_executer(calcul_lancer(acting_user=membres["lanceur"], annee=2013, sur_le_worker=False).pk)
    organisme = comptes[Role.ORGANISME]
    organisme.organisme = oph
    organisme.save()
    return {"membres": membres, "calcul": calcul, "oph": oph, "esh": esh}


def test_annee_de_la_commission(ouvrir_onglet, comptes, annee_calculee, captures, settings, tmp_path, monkeypatch):
    settings.FICHIERS_DIR = tmp_path
    monkeypatch.setattr(celery.conf, "task_always_eager", True)  # the notices job runs at commit, in the server
    membres, calcul = annee_calculee["membres"], annee_calculee["calcul"]

    # The launcher sees the approve button disabled, with the reason.
    page = ouvrir_onglet()
    _connecter(page, membres["lanceur"])
    page.goto(CAMPAGNE)
    bouton = page.get_by_role("button", name=f"Approuver le calcul n° {calcul.pk}")
    assert bouton.is_disabled()
    assert "règle des quatre yeux" in page.locator("#approuver-motif").inner_text()

    # Member A, then member B.
    for nom, attendu in (("membre-a", "(1/2)"), ("membre-b", "l'année 2013 est validée")):
        page = ouvrir_onglet()
        _connecter(page, membres[nom])
        page.goto(CAMPAGNE)
        with page.expect_navigation():
            page.get_by_role("button", name=f"Approuver le calcul n° {calcul.pk}").click()
        assert attendu in _alertes(page), _alertes(page)
    assert Campagne.objects.get(annee=2013).statut == StatutCampagne.VALIDEE
    chronologie = page.locator(".chronologie").inner_text()
    assert f"Calcul n° {calcul.pk} approuvé (1/2)" in chronologie and "Aline Commission" in chronologie
    assert f"Calcul n° {calcul.pk} validé" in chronologie and "Bruno Commission" in chronologie
    page.locator("#cycle").scroll_into_view_if_needed()
    page.screenshot(path=str(captures / "commission-campagne-validee.png"), full_page=True)

    # An import touching 2013 is now refused on the import page, with the French message.
    page_import = ouvrir_onglet()
    _connecter(page_import, comptes[Role.EQUIPE_USH])
    page_import.goto("/mutualisation/imports/")
    siren = annee_calculee["esh"].siren
    contenu = ("numero_pret;numero_operation;siren;produit;date_signature;montant;nb_logements;zone;code_commune\n"
               f"P10;OP10;{siren};PLUS;2013-05-17;1000,00;10;1;75056\n").encode()
    page_import.locator("select[name=type_fichier]").select_option("prets")
    page_import.locator("input[name=fichier]").set_input_files(
        files=[{"name": "prets-2013.csv", "mimeType": "text/csv", "buffer": contenu}])
    with page_import.expect_navigation():
        page_import.get_by_role("button", name="Analyser le fichier").click()
    texte = page_import.locator("main").inner_text()
    if "Année(s) figée(s) : 2013" not in texte:  # refused at confirmation rather than at analysis
        with page_import.expect_navigation():
            page_import.get_by_role("button", name="Confirmer l'import").click()
        texte = page_import.locator("main").inner_text()
    assert "Année(s) figée(s) : 2013" in texte and "administrateur" in texte, texte

    # Member B notifies: the notices are generated (synchronously here) and appear on the page.
    page.goto(CAMPAGNE)
    with page.expect_navigation():
        page.get_by_role("button", name="Notifier la campagne et générer les avis").click()
    assert "notifiée" in _alertes(page)
    page.goto(CAMPAGNE + "#avis")
    assert page.get_by_role("link", name="Tous les avis (ZIP)").is_visible()
    page.screenshot(path=str(captures / "commission-campagne-notifiee.png"), full_page=True)

    # The organism downloads its own notice; another organism's is a 404.
    oph, esh = annee_calculee["oph"], annee_calculee["esh"]
    page_organisme = ouvrir_onglet()
    _connecter(page_organisme, comptes[Role.ORGANISME])
    page_organisme.goto(f"/mutualisation/2013/organismes/{oph.siren}/")
    with page_organisme.expect_download() as telechargement:
        page_organisme.get_by_role("link", name="Télécharger l'avis 2013 (PDF)").click()
    chemin = telechargement.value.path()
    assert telechargement.value.suggested_filename == f"avis-2013-{oph.siren}.pdf"
    with open(chemin, "rb") as fichier:
        assert fichier.read(5) == b"%PDF-"
    assert page_organisme.request.get(f"/mutualisation/2013/avis/{esh.siren}.pdf").status == 404
    assert page_organisme.request.get(f"/mutualisation/2013/avis/{oph.siren}.pdf").status == 200

    # The bilan and the audit trail.
    page.goto("/mutualisation/2013/bilan/")
    assert "Bilan annuel de la mutualisation financière Hlm – 2013" in page.locator("h1").inner_text()
    assert page.locator("figure svg").count() == 4
    page.screenshot(path=str(captures / "commission-bilan.png"), full_page=True)
    page.goto("/mutualisation/2013/audit/")
    assert "membre-b" in page.locator("table").inner_text()
    page.screenshot(path=str(captures / "commission-audit.png"), full_page=True)
