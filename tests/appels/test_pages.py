"""Pages of both calls (their access by role is in the policy table walked by tests/test_acces.py), and the whole
path through the web forms — an organism applies, the committee asks for a completion, two members score, the
manager decides."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from innovation.models import EnveloppeInnovation
from pacte.appels.enums import StatutCandidature
from pacte.enums import Role
from pacte.models_appels import Candidature
from tests.appels.factories import AppelFactory, ThemeFactory


def _poster(client, url, **donnees):
    return client.post(url, donnees, follow=True)


@pytest.mark.django_db
def test_parcours_innovation_par_les_pages(client, personas, django_user_model):
    EnveloppeInnovation.objects.create(annee=2014, montant=Decimal("100000.00"))
    appel = AppelFactory(annee=2014, date_cloture=datetime.date(2099, 12, 31))
    theme = ThemeFactory()
    client.force_login(personas[Role.ORGANISME])
    reponse = _poster(client, reverse("innovation:deposer", args=[appel.pk]), intitule="Maquette numérique",
                      resume="BIM en exploitation.", theme=theme.pk, type_aide="SUBVENTION",
                      montant_demande="60 000,00", cout_total="150000", autres_financements_publics="0",
                      date_debut="2099-01-01", duree_mois="24")
    assert "Candidature" in reponse.content.decode() and reponse.status_code == 200
    candidature = Candidature.objects.get()
    page = reverse("innovation:candidature", args=[candidature.pk])

    client.force_login(personas[Role.COMITE_ORIENTATION])
    _poster(client, page, action="transition", vers="A_COMPLETER", motif="Joindre le plan de financement.")
    client.force_login(personas[Role.ORGANISME])
    _poster(client, page, action="transition", vers="DEPOSEE", motif="Plan joint.")
    client.force_login(personas[Role.COMITE_ORIENTATION])
    _poster(client, page, action="transition", vers="RECEVABLE")
    criteres = list(appel.criteres.all())
    _poster(client, page, action="noter", **{f"critere_{c.pk}": "16" for c in criteres})
    second = django_user_model.objects.create(username="membre-2", role=Role.COMITE_ORIENTATION)
    second.groups.set(personas[Role.COMITE_ORIENTATION].groups.all())
    client.force_login(second)
    _poster(client, page, action="noter", **{f"critere_{c.pk}": "12" for c in criteres})
    _poster(client, page, action="transition", vers="INSTRUITE")

    client.force_login(personas[Role.EQUIPE_USH])
    contenu = client.get(page).content.decode()
    assert 'id="moyenne-generale">14,0<' in contenu
    refus = _poster(client, page, action="decider", retenue="oui", montant="100000,01", motif="Retenu.")
    assert "il reste 100\u00a0000,00\u00a0€" in refus.content.decode()
    _poster(client, page, action="decider", retenue="oui", montant="60000,00", motif="Projet reproductible.")
    candidature.refresh_from_db()
    assert candidature.statut == StatutCandidature.RETENUE
    assert client.get(reverse("innovation:lettre", args=[candidature.pk]))["Content-Type"] == "application/pdf"
    export = client.get(reverse("innovation:export-csv", args=[appel.pk])).content.decode()
    assert f"{candidature.numero};" in export and ";60000.00;60000.00" in export


@pytest.mark.django_db
def test_api_des_candidatures_limitee_a_l_organisme(client, personas):
    from tests.appels.factories import CandidatureFactory

    a_lui = CandidatureFactory(organisme=personas[Role.ORGANISME].organisme)
    CandidatureFactory()
    client.force_login(personas[Role.ORGANISME])
    donnees = client.get("/api/v1/appels/candidatures/").json()["results"]
    assert [c["numero"] for c in donnees] == [a_lui.numero]
    client.force_login(personas[Role.COMITE_ORIENTATION])
    assert client.get("/api/v1/appels/candidatures/").json()["count"] == 2
    assert client.get("/api/v1/appels/suivi-logements-accompagnes/").json()["national"]["objectif"] == 10_000
    assert client.get("/api/schema/").status_code == 200


@pytest.mark.django_db
def test_le_compteur_national_du_tableau_de_bord_est_la_somme_des_suivis(client, personas):
    from logements_accompagnes.models import SuiviAnnuel
    from tests.appels.factories import ProjetAccompagneFactory

    for annee, logements in ((2014, 1234), (2015, 766)):
        projet = ProjetAccompagneFactory(candidature__retenue=True)
        SuiviAnnuel.objects.create(projet=projet, annee=annee, logements_mobilises=logements, menages_accompagnes=9)
    client.force_login(personas[Role.REFERENT_REGIONAL])
    contenu = client.get(reverse("logements_accompagnes:index")).content.decode()
    assert 'id="compteur-logements">2\u00a0000<' in contenu
    assert "objectif national de 10\u00a0000 (20 %)" in contenu
