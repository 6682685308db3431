"""The Comité d'orientation rules on the financing terms: subvention, or prêt bonifié at a rate over a duration."""

from decimal import Decimal

import pytest
from django.urls import reverse

from innovation import services
from innovation.enums import TypeAide
from pacte.appels.enums import StatutCandidature
from pacte.appels.regles import ErreurAppel
from pacte.enums import Role
from pacte.models import Evenement
from tests.appels.factories import ProjetInnovationFactory

S = StatutCandidature


@pytest.fixture
def projet(equipe):
    return ProjetInnovationFactory(candidature__organisme=equipe["organisme"].organisme,
                                   candidature__statut=S.RECEVABLE)


def url(projet):
    return reverse("innovation:conditions", args=[projet.candidature_id])


def fixer(user, projet, **conditions):
    return services.conditions_fixer(acting_user=user, candidature=projet.candidature, **conditions)


def test_le_comite_accorde_un_pret_bonifie_et_l_evenement_garde_avant_et_apres(equipe, projet):
    fixer(equipe["membre_1"], projet, type_aide=TypeAide.PRET_BONIFIE, taux_pourcent=Decimal("1.25"),
          duree_annees=15)
    projet.refresh_from_db()
    assert (projet.type_aide, projet.taux_pret, projet.duree_pret_mois) == (
        TypeAide.PRET_BONIFIE, Decimal("0.0125"), 180)
    evenement = Evenement.objects.get(action="conditions_innovation_fixer")
    assert evenement.auteur == equipe["membre_1"] and evenement.objet == projet.candidature.numero
    assert evenement.details == {
        "avant": {"type_aide": "SUBVENTION", "taux_pret": None, "duree_pret_mois": None},
        "apres": {"type_aide": "PRET_BONIFIE", "taux_pret": "0.0125", "duree_pret_mois": 180}}

    fixer(equipe["membre_1"], projet, type_aide=TypeAide.SUBVENTION)  # back to a subvention: terms cleared
    projet.refresh_from_db()
    assert (projet.type_aide, projet.taux_pret, projet.duree_pret_mois) == (TypeAide.SUBVENTION, None, None)


@pytest.mark.parametrize(("conditions", "message"), [
    ({"type_aide": TypeAide.PRET_BONIFIE}, "Un prêt bonifié précise son taux. Un prêt bonifié précise sa durée."),
    ({"type_aide": TypeAide.PRET_BONIFIE, "taux_pourcent": Decimal("10.01"), "duree_annees": 10},
     "Le taux du prêt bonifié est compris entre 0 et 10 %."),
    ({"type_aide": TypeAide.PRET_BONIFIE, "taux_pourcent": Decimal("-1"), "duree_annees": 10},
     "Le taux du prêt bonifié est compris entre 0 et 10 %."),
    ({"type_aide": TypeAide.PRET_BONIFIE, "taux_pourcent": Decimal("1.255"), "duree_annees": 10},
     "Le taux du prêt bonifié a au plus deux décimales."),
    ({"type_aide": TypeAide.PRET_BONIFIE, "taux_pourcent": Decimal("2"), "duree_annees": 31},
     "La durée du prêt bonifié est comprise entre 1 et 30 ans."),
    ({"type_aide": TypeAide.PRET_BONIFIE, "taux_pourcent": Decimal("2"), "duree_annees": 0},
     "La durée du prêt bonifié est comprise entre 1 et 30 ans."),
    ({"type_aide": TypeAide.SUBVENTION, "taux_pourcent": Decimal("2")},
     "Une subvention n'a ni taux ni durée de prêt."),
    ({"type_aide": "DON"}, "Le type d'aide est une subvention ou un prêt bonifié."),
])
def test_les_conditions_invalides_sont_refusees_avec_leur_raison(equipe, projet, conditions, message):
    with pytest.raises(ErreurAppel) as erreur:
        fixer(equipe["membre_1"], projet, **conditions)
    assert str(erreur.value) == message
    assert not Evenement.objects.filter(action="conditions_innovation_fixer").exists()


def test_les_bornes_sont_admises(equipe, projet):
    fixer(equipe["membre_1"], projet, type_aide=TypeAide.PRET_BONIFIE, taux_pourcent=Decimal("0"), duree_annees=1)
    fixer(equipe["membre_1"], projet, type_aide=TypeAide.PRET_BONIFIE, taux_pourcent=Decimal("10.00"),
          duree_annees=30)
    projet.refresh_from_db()
    assert (projet.taux_pret, projet.duree_pret_mois) == (Decimal("0.1000"), 360)


@pytest.mark.parametrize("membre", ["gestionnaire", "organisme"])
def test_seul_le_comite_fixe_les_conditions(equipe, projet, membre):
    with pytest.raises(ErreurAppel, match="Seul le Comité d'orientation"):
        fixer(equipe[membre], projet, type_aide=TypeAide.SUBVENTION)


@pytest.mark.parametrize("candidature", [{"statut": S.DEPOSEE}, {"statut": S.A_COMPLETER}, {"retenue": True},
                                         {"statut": S.NON_RETENUE}])
def test_hors_examen_les_conditions_sont_figees(equipe, candidature):
    projet = ProjetInnovationFactory(**{f"candidature__{cle}": valeur for cle, valeur in candidature.items()})
    with pytest.raises(ErreurAppel, match="pendant l'examen du dossier"):
        fixer(equipe["membre_1"], projet, type_aide=TypeAide.PRET_BONIFIE, taux_pourcent=Decimal("1"),
              duree_annees=5)


def test_le_comite_fixe_les_conditions_depuis_la_page_du_dossier(client, equipe, projet):
    client.force_login(equipe["membre_1"])
    page = client.get(reverse("innovation:candidature", args=[projet.candidature_id]))
    assert url(projet) in page.content.decode()
    assert client.get(url(projet)).status_code == 200
    reponse = client.post(url(projet), {"type_aide": TypeAide.PRET_BONIFIE, "taux_pourcent": "2,5",
                                        "duree_annees": "20"})
    assert reponse.status_code == 302
    projet.refresh_from_db()
    assert (projet.type_aide, projet.taux_pret, projet.duree_pret_mois) == (
        TypeAide.PRET_BONIFIE, Decimal("0.0250"), 240)


def test_le_formulaire_explique_un_refus(client, equipe, projet):
    client.force_login(equipe["membre_1"])
    reponse = client.post(url(projet), {"type_aide": TypeAide.PRET_BONIFIE, "taux_pourcent": "12",
                                        "duree_annees": "40"})
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "compris entre 0 et 10 %" in contenu and "comprise entre 1 et 30 ans" in contenu
    projet.refresh_from_db()
    assert projet.type_aide == TypeAide.SUBVENTION


def test_hors_examen_la_page_ne_propose_pas_le_formulaire(client, equipe):
    projet = ProjetInnovationFactory(candidature__retenue=True)
    client.force_login(equipe["membre_1"])
    contenu = client.get(url(projet)).content.decode()
    assert 'id="hors-examen"' in contenu and "Fixer les conditions" not in contenu
    page = client.get(reverse("innovation:candidature", args=[projet.candidature_id])).content.decode()
    assert url(projet) not in page


@pytest.mark.parametrize("role", [Role.ORGANISME, Role.EQUIPE_USH, Role.COMITE_SUIVI, Role.SECRETARIAT])
def test_les_autres_roles_recoivent_403(client, personas, projet, role):
    client.force_login(personas[role])
    assert client.get(url(projet)).status_code == 403
    reponse = client.post(url(projet), {"type_aide": TypeAide.PRET_BONIFIE, "taux_pourcent": "1",
                                        "duree_annees": "5"})
    assert reponse.status_code == 403
    projet.refresh_from_db()
    assert projet.type_aide == TypeAide.SUBVENTION
    assert not Evenement.objects.filter(action="conditions_innovation_fixer").exists()
