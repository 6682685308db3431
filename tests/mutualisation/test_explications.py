"""The loans' detail of an explanation (docs/mutualisation.md, « Le détail des prêts ») : built from the loans table
while they are the run's, flagged when they changed since, frozen into the run at its validation; and a run whose
inputs changed is not approved (decision of docs/cycle-campagne.md)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutualisation import calculs, explications
from mutualisation.documents import avis
from mutualisation.models import BaseAnnuelle, Pret, ResultatOrganisme
from mutualisation.services.campagne import ErreurCampagne, ajustement_enregistrer
from mutualisation.services.cycle import calcul_approuver
from pacte.enums import Role
from tests.factories import PretFactory, UtilisateurFactory
from tests.mutualisation.test_pages import construire_campagne

pytestmark = pytest.mark.django_db


@pytest.fixture
def campagne(personas):
    return construire_campagne(personas)


def _membres():
    return [UtilisateurFactory(username=f"membre-{n}", role=Role.COMMISSION) for n in "ab"]


def _resultat(campagne, nom: str) -> ResultatOrganisme:
    return ResultatOrganisme.objects.select_related("calcul", "organisme").get(
        calcul=campagne["calcul"], organisme=campagne[nom])


def _numeros(explication: dict) -> list[str]:
    return sorted([p["numero_pret"] for o in explication["operations_production"] for p in o["prets"]]
                  + [p["numero_pret"] for p in explication["prets_rehabilitation"]]
                  + [h["numero_pret"] for h in explication["hors_champ"] if h["type"] == "pret"])


def test_le_calcul_ne_recopie_aucun_pret_le_detail_se_lit_a_la_demande(campagne):
    stockee = _resultat(campagne, "oph").explication
    assert "operations_production" not in stockee and "prets_rehabilitation" not in stockee
    assert not any(h.get("type") == "pret" for h in stockee["hors_champ"])
    detail = explications.detaillee(_resultat(campagne, "oph"))
    assert detail.prets_a_jour
    assert _numeros(detail.explication) == ["P-2012", "P-ECO", "P-FONC", "P-PLAI", "P-PLUS"]
    assert "resume_prets" not in detail.explication


def test_prets_modifies_depuis_le_calcul_le_detail_n_est_plus_montre(campagne, client, personas):
    Pret.objects.filter(numero_pret="P-PLAI").update(nb_logements=6)
    oph, coop = _resultat(campagne, "oph"), _resultat(campagne, "coop")
    detail = explications.detaillee(oph)
    assert not detail.prets_a_jour
    assert detail.explication["operations_production"] == [] == detail.explication["prets_rehabilitation"]
    assert explications.detaillee(coop).prets_a_jour  # another organism's loans did not change
    # the page says so, with the run's amounts and no loan
    client.force_login(personas[Role.COMMISSION])
    page = client.get(reverse("mutualisation:organisme", kwargs={"annee": 2013, "siren": oph.organisme_id}))
    contenu = page.content.decode()
    assert "Prêts modifiés depuis le calcul" in contenu and "P-PLAI" not in contenu
    # the API too
    api = client.get(reverse("mutualisation-avis-detail", kwargs={"annee": 2013, "siren": oph.organisme_id}))
    assert api.json()["prets_a_jour"] is False and api.json()["explication"]["operations_production"] == []
    # a notice is never printed without the run's loans
    with pytest.raises(calculs.ErreurMutualisation, match="ont changé depuis le calcul"):
        avis.donnees_avis(oph, avis.contexte_avis(oph.calcul))
    # back to the run's loans: the detail shows again
    Pret.objects.filter(numero_pret="P-PLAI").update(nb_logements=5)
    assert explications.detaillee(oph).prets_a_jour


def test_un_nouveau_pret_de_l_organisme_change_aussi_son_resume(campagne):
    PretFactory(organisme=campagne["oph"], numero_pret="P-2011", produit="PLUS", date_signature=date(2011, 3, 1))
    assert not explications.detaillee(_resultat(campagne, "oph")).prets_a_jour


@pytest.mark.parametrize("modifier", ["pret", "base", "ajustement"])
def test_decision_un_calcul_dont_les_entrees_ont_change_ne_s_approuve_pas(campagne, modifier):
    a, b = _membres()
    calcul = campagne["calcul"]
    if modifier == "pret":
        Pret.objects.filter(numero_pret="P-COOP").update(montant=Decimal("1.00"))
    elif modifier == "base":
        BaseAnnuelle.objects.filter(organisme=campagne["esh"]).update(logements=3001)
    else:
        ajustement_enregistrer(acting_user=a, annee=2013, siren=campagne["esh"].siren, montant=Decimal("10.00"),
                               motif="Décidé après le calcul")
    with pytest.raises(ErreurCampagne, match=f"ont changé depuis le calcul n° {calcul.pk} : relancez le calcul"):
        calcul_approuver(acting_user=a, calcul_id=calcul.pk)
    assert not calcul.approbations.exists()


def test_la_validation_fige_le_detail_des_prets_dans_le_calcul(campagne):
    a, b = _membres()
    calcul = campagne["calcul"]
    avant = {nom: explications.detaillee(_resultat(campagne, nom)).explication for nom in ("oph", "esh", "coop")}
    evenements = ResultatOrganisme.pgh_event_model.objects.count()
    calcul_approuver(acting_user=a, calcul_id=calcul.pk)
    assert not explications.est_figee(_resultat(campagne, "oph").explication)  # one approval does not validate
    calcul_approuver(acting_user=b, calcul_id=calcul.pk)
    calcul.refresh_from_db()
    assert calcul.valide
    resultats = list(ResultatOrganisme.objects.filter(calcul=calcul))
    assert all(explications.est_figee(r.explication) for r in resultats)
    assert ResultatOrganisme.pgh_event_model.objects.count() == evenements  # the amounts did not change
    # a later loan of another year (still open) changes nothing to the validated run's notice
    PretFactory(organisme=campagne["oph"], numero_pret="P-2015", produit="PAM", date_signature=date(2015, 2, 1))
    with CaptureQueriesContext(connection) as requetes:
        apres = explications.detaillees(calcul, resultats)
    assert len(requetes) == 0  # the detail is in the explanation: nothing is read
    for nom in ("oph", "esh", "coop"):
        assert apres[campagne[nom].siren] == explications.ExplicationDetaillee(avant[nom], True)
    assert "P-2015" not in _numeros(apres[campagne["oph"].siren].explication)
