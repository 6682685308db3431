"""Pages that list things assert their query count: every list page of the calls for projects (both schemes) makes
the same number of SQL queries with 3 rows as with 30, and long lists are paginated (50 per page)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from innovation.models import EnveloppeInnovation
from logements_accompagnes.enums import NaturePartenaire
from logements_accompagnes.models import Partenaire, SuiviAnnuel
from pacte.appels.enums import NatureVersement, StatutCandidature
from pacte.enums import Role
from pacte.models_appels import Commentaire, HistoriqueStatut, Note, PieceJointe, Versement
from tests.appels.factories import (
    AppelFactory,
    CandidatureFactory,
    ProjetAccompagneFactory,
    ProjetInnovationFactory,
    ThemeFactory,
)
from tests.factories import UtilisateurFactory

pytestmark = pytest.mark.django_db

PETIT, GRAND = 3, 30


def _nb_requetes(client, url) -> int:
    client.get(url)  # warm-up: session, permission and content-type caches
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url)
    assert reponse.status_code == 200, url
    return len(requetes)


def _verser(candidature, nature=NatureVersement.ENGAGEMENT, montant=None):
    Versement.objects.create(candidature=candidature, nature=nature, montant=montant or candidature.montant_accorde,
                             date_versement=datetime.date(2014, 9, 1), auteur=candidature.deposee_par)


def _mesurer(client, url, ajouter) -> tuple[int, int]:
    """Queries of ``url`` with PETIT rows, then with GRAND rows (``ajouter(n)`` adds n rows)."""
    ajouter(PETIT)
    petit = _nb_requetes(client, url)
    ajouter(GRAND - PETIT)
    return petit, _nb_requetes(client, url)


# --- Index pages ------------------------------------------------------------------------------------------------------


def test_accueil_innovation_nombre_de_requetes_constant(client, personas):
    """Calls, envelopes per year (the years grow too), themes."""
    client.force_login(personas[Role.EQUIPE_USH])
    annees = iter(range(2014, 2014 + GRAND))

    def ajouter(n):
        for _ in range(n):
            annee = next(annees)
            EnveloppeInnovation.objects.create(annee=annee, montant=Decimal("5000000.00"))
            ThemeFactory(libelle=f"Thème {annee}")
            projet = ProjetInnovationFactory(candidature__appel=AppelFactory(annee=annee),
                                             candidature__retenue=True)
            _verser(projet.candidature)
            _verser(projet.candidature, NatureVersement.ACOMPTE, Decimal("1000.00"))

    petit, grand = _mesurer(client, reverse("innovation:index"), ajouter)
    assert petit == grand


def test_consommations_groupees_egales_a_la_consommation_annuelle(personas):
    from innovation import selectors

    for annee in (2014, 2015):
        EnveloppeInnovation.objects.create(annee=annee, montant=Decimal("100000.00"))
        projet = ProjetInnovationFactory(candidature__appel=AppelFactory(annee=annee), candidature__retenue=True)
        _verser(projet.candidature)
        _verser(projet.candidature, NatureVersement.ACOMPTE, Decimal("1000.00"))
    assert selectors.consommations([2016, 2015, 2014]) == [selectors.consommation(a) for a in (2014, 2015, 2016)]
    assert selectors.consommation(2014)["verse"] == Decimal("1000.00")
    assert selectors.consommation(2014)["disponible"] == Decimal("60000.00")


def test_accueil_logements_accompagnes_nombre_de_requetes_constant(client, personas):
    """Calls, the counter and the follow-up by year, region and project."""
    client.force_login(personas[Role.COMITE_SUIVI])

    def ajouter(n):
        for _ in range(n):
            projet = ProjetAccompagneFactory(candidature__retenue=True)
            for annee in (2016, 2017):
                SuiviAnnuel.objects.create(projet=projet, annee=annee, logements_mobilises=10, menages_accompagnes=9)

    petit, grand = _mesurer(client, reverse("logements_accompagnes:index"), ajouter)
    assert petit == grand


# --- A call: pipeline, files, exports -----------------------------------------------------------------------------


# Exports are for the readers of every file; an organism user sees the call page only.
CAS_APPEL = [(Role.EQUIPE_USH, nom) for nom in ("appel", "export-csv", "export-xlsx")] + [(Role.ORGANISME, "appel")]


@pytest.mark.parametrize(("role", "nom"), CAS_APPEL)
@pytest.mark.parametrize("espace", ["innovation", "logements_accompagnes"])
def test_un_appel_et_ses_exports_nombre_de_requetes_constant(client, personas, role, nom, espace):
    utilisateur = personas[role]
    client.force_login(utilisateur)
    appel = AppelFactory(logements_accompagnes=espace == "logements_accompagnes")
    statuts = iter(StatutCandidature)

    def ajouter(n):
        for _ in range(n):
            statut = next(statuts, StatutCandidature.DEPOSEE)
            options = {"organisme": utilisateur.organisme} if utilisateur.organisme else {}
            candidature = CandidatureFactory(appel=appel, retenue=True, **options)
            _verser(candidature)
            candidature.statut = statut
            candidature.save(update_fields=["statut"])

    petit, grand = _mesurer(client, reverse(f"{espace}:{nom}", args=[appel.pk]), ajouter)
    assert petit == grand


# --- A file: history, comments, attachments, scores, decisions, payments, the scheme's details ------------------------


def _enrichir(candidature, n, *, debut):
    for i in range(debut, debut + n):
        auteur = UtilisateurFactory(username=f"membre-{candidature.pk}-{i}", role=Role.COMITE_ORIENTATION)
        HistoriqueStatut.objects.create(candidature=candidature, vers=StatutCandidature.RECEVABLE, auteur=auteur)
        Commentaire.objects.create(candidature=candidature, auteur=auteur, texte=f"Avis {i}", interne=i % 2 == 0)
        PieceJointe.objects.create(candidature=candidature, nom=f"piece-{i}.pdf", type_mime="application/pdf",
                                   taille=1000, empreinte="0" * 64, chemin=f"x/{i}", deposee_par=auteur)
        for critere in candidature.appel.criteres.all():
            Note.objects.create(candidature=candidature, critere=critere, evaluateur=auteur, valeur=12)
        _verser(candidature, NatureVersement.ACOMPTE, Decimal("100.00"))


@pytest.mark.parametrize("role", [Role.EQUIPE_USH, Role.ORGANISME])
def test_un_dossier_innovation_nombre_de_requetes_constant(client, personas, role):
    client.force_login(personas[role])
    candidature = ProjetInnovationFactory(candidature__organisme=personas[Role.ORGANISME].organisme,
                                          candidature__retenue=True).candidature
    compte = iter(range(GRAND))

    def ajouter(n):
        _enrichir(candidature, n, debut=next(compte) * GRAND)

    petit, grand = _mesurer(client, reverse("innovation:candidature", args=[candidature.pk]), ajouter)
    assert petit == grand


@pytest.mark.parametrize("role", [Role.EQUIPE_USH, Role.ORGANISME])
def test_un_dossier_logements_accompagnes_nombre_de_requetes_constant(client, personas, role):
    client.force_login(personas[role])
    projet = ProjetAccompagneFactory(candidature__organisme=personas[Role.ORGANISME].organisme,
                                     candidature__retenue=True)
    annees = iter(range(2016, 2016 + GRAND))

    def ajouter(n):
        _enrichir(projet.candidature, n, debut=projet.suivis.count() * GRAND)
        for _ in range(n):
            annee = next(annees)
            Partenaire.objects.create(projet=projet, nom=f"Partenaire {annee}", nature=NaturePartenaire.OPERATEUR)
            SuiviAnnuel.objects.create(projet=projet, annee=annee, logements_mobilises=3, menages_accompagnes=3)

    petit, grand = _mesurer(client, reverse("logements_accompagnes:candidature", args=[projet.candidature_id]),
                            ajouter)
    assert petit == grand


# --- API ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nom", ["appels-appel-list", "appels-candidature-list", "appels-suivi-list"])
def test_les_listes_de_l_api_nombre_de_requetes_constant(client, personas, nom):
    client.force_login(personas[Role.EQUIPE_USH])

    def ajouter(n):
        for _ in range(n):
            projet = ProjetAccompagneFactory(candidature__retenue=True)
            SuiviAnnuel.objects.create(projet=projet, annee=2016, logements_mobilises=4, menages_accompagnes=4)

    petit, grand = _mesurer(client, reverse(nom), ajouter)
    assert petit == grand


# --- Pagination -------------------------------------------------------------------------------------------------------


def test_les_dossiers_d_un_appel_sont_pagines_par_50(client, personas, django_assert_max_num_queries):
    client.force_login(personas[Role.EQUIPE_USH])
    appel = AppelFactory()
    candidatures = CandidatureFactory.create_batch(55, appel=appel)
    url = reverse("innovation:appel", args=[appel.pk])
    client.get(url)

    with django_assert_max_num_queries(_nb_requetes(client, url)):
        page_1 = client.get(url)
    contenu = page_1.content.decode()
    assert len(page_1.context["candidatures"]) == 50
    assert "fr-pagination" in contenu and "Dossiers (55)" in contenu
    assert candidatures[49].numero in contenu and candidatures[50].numero not in contenu
    assert page_1.context["pipeline"][0]["nombre"] == 55  # the pipeline still counts every file

    page_2 = client.get(url, {"page": 2}).content.decode()
    assert candidatures[50].numero in page_2 and candidatures[49].numero not in page_2
    assert client.get(url, {"page": 99}).status_code == 200  # out of range: the last page


def test_une_seule_page_sans_pagination(client, personas):
    client.force_login(personas[Role.EQUIPE_USH])
    appel = AppelFactory()
    CandidatureFactory.create_batch(PETIT, appel=appel)
    assert "fr-pagination" not in client.get(reverse("innovation:appel", args=[appel.pk])).content.decode()


def test_le_suivi_par_projet_est_pagine_par_50(client, personas):
    client.force_login(personas[Role.COMITE_SUIVI])
    for _ in range(52):
        projet = ProjetAccompagneFactory(candidature__retenue=True)
        SuiviAnnuel.objects.create(projet=projet, annee=2016, logements_mobilises=2, menages_accompagnes=2)
    url = reverse("logements_accompagnes:index")
    page_1 = client.get(url)
    assert len(page_1.context["par_projet"]) == 50 and "fr-pagination" in page_1.content.decode()
    assert page_1.context["compteur"]["logements"] == 104  # the counter sums every project, not the page
    assert len(client.get(url, {"page": 2}).context["par_projet"]) == 2
