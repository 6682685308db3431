"""« 10 000 logements accompagnés »: applicants, the Annexe 3 file, financing plan, follow-up and the counter."""

from decimal import Decimal

import pytest

from logements_accompagnes import selectors, services
from logements_accompagnes.enums import NaturePartenaire, TypePorteur
from pacte.appels import services as appels
from pacte.appels.enums import StatutCandidature
from pacte.appels.regles import ErreurAppel
from pacte.enums import Famille
from tests.appels.factories import AppelFactory, ProjetAccompagneFactory, donnees_accompagnes
from tests.factories import RegionFactory

S = StatutCandidature


@pytest.fixture
def appel(db):
    return AppelFactory(logements_accompagnes=True, annee=2014)


def deposer(equipe, appel, **surcharges):
    organisme = equipe["organisme"].organisme
    return services.projet_deposer(acting_user=equipe["organisme"], appel=appel, organisme=organisme,
                                   **donnees_accompagnes(organisme.region, **surcharges))


def test_un_dossier_complet_avec_partenaires_et_plan_de_financement(equipe, appel):
    candidature = deposer(equipe, appel)
    projet = candidature.projet_accompagne
    assert projet.partenaires.get().nature == NaturePartenaire.OPERATEUR
    assert {f.source: f.montant for f in projet.financements.all()} == {
        "PLAI": Decimal("300000.00"), "ETAT": Decimal("40000.00"), "FSE": Decimal("20000.00")}


def test_chaque_section_de_l_annexe_3_est_renseignee(equipe, appel):
    donnees = donnees_accompagnes(equipe["organisme"].organisme.region)
    donnees["sections"]["adhesion_menages"] = " "
    with pytest.raises(ErreurAppel, match="Adhésion des ménages"):
        services.projet_deposer(acting_user=equipe["organisme"], appel=appel,
                                organisme=equipe["organisme"].organisme, **donnees)


def test_les_porteurs_de_l_annexe_3(equipe, appel):
    with pytest.raises(ErreurAppel, match="binôme déclare son opérateur"):
        deposer(equipe, appel, partenaires=[])
    with pytest.raises(ErreurAppel, match="Seule une collectivité"):
        deposer(equipe, appel, type_porteur=TypePorteur.COLLECTIVITE)
    organisme = equipe["organisme"].organisme
    organisme.famille = Famille.ASSOCIATION
    organisme.save()
    with pytest.raises(ErreurAppel, match="ne peut pas porter un projet"):
        deposer(equipe, appel, type_porteur=TypePorteur.BAILLEUR)


def test_le_plafond_de_200_000_euros_par_projet_au_depot(equipe, appel):
    with pytest.raises(ErreurAppel, match="plafond de l'appel par projet"):
        deposer(equipe, appel, montant_demande=Decimal("200000.01"))


def test_suivi_et_compteur_national(equipe, appel):
    candidature = deposer(equipe, appel)
    with pytest.raises(ErreurAppel, match="Seul un projet retenu"):
        services.suivi_enregistrer(acting_user=equipe["gestionnaire"], candidature=candidature, annee=2014,
                                   logements_mobilises=10, menages_accompagnes=10)
    for vers in (S.RECEVABLE, S.INSTRUITE):
        appels.candidature_transitionner(acting_user=equipe["membre_1"], candidature=candidature, vers=vers)
    appels.candidature_decider(acting_user=equipe["gestionnaire"], candidature=candidature, retenue=True,
                               motif="Retenu par le comité de pilotage national.", montant=Decimal("45000.00"))
    services.suivi_enregistrer(acting_user=equipe["gestionnaire"], candidature=candidature, annee=2014,
                               logements_mobilises=12, menages_accompagnes=14)
    services.suivi_enregistrer(acting_user=equipe["gestionnaire"], candidature=candidature, annee=2015,
                               logements_mobilises=18, menages_accompagnes=17)
    autre = ProjetAccompagneFactory(region=RegionFactory(code="93", nom="Provence-Alpes-Côte d'Azur",
                                                         metropole=True, prioritaire=True),
                                    candidature__appel=appel, candidature__retenue=True)
    services.suivi_enregistrer(acting_user=equipe["gestionnaire"], candidature=autre.candidature, annee=2015,
                               logements_mobilises=5, menages_accompagnes=6)
    compteur = selectors.compteur_national()
    assert (compteur["logements"], compteur["menages"], compteur["objectif"]) == (35, 37, 10_000)
    assert [ligne["logements"] for ligne in selectors.suivi_par_annee()] == [12, 23]
    assert sum(ligne["logements"] for ligne in selectors.suivi_par_region()) == compteur["logements"]
    assert sum(ligne["logements"] for ligne in selectors.suivi_par_projet()) == compteur["logements"]
