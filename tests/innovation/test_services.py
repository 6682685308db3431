"""The fund's rules enforced by the workflow, and explained when they block."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from innovation import selectors, services
from innovation.enums import TypeAide
from pacte.appels import services as appels
from pacte.appels.enums import NatureVersement, StatutCandidature
from pacte.appels.regles import ErreurAppel
from pacte.enums import Famille
from tests.appels.factories import AppelFactory, EnveloppeFactory, donnees_innovation

S = StatutCandidature


@pytest.fixture
def appel(db):
    EnveloppeFactory(annee=2014, montant=Decimal("5000000.00"))
    return AppelFactory(annee=2014)


def deposer(equipe, appel, **surcharges):
    return services.projet_deposer(acting_user=equipe["organisme"], appel=appel,
                                   organisme=equipe["organisme"].organisme, **donnees_innovation(**surcharges))


def instruire(equipe, candidature):
    for vers in (S.RECEVABLE, S.INSTRUITE):
        candidature = appels.candidature_transitionner(acting_user=equipe["membre_1"], candidature=candidature,
                                                       vers=vers)
    return candidature


def accorder(equipe, candidature, montant):
    return appels.candidature_decider(acting_user=equipe["gestionnaire"], candidature=candidature, retenue=True,
                                      motif="Projet innovant retenu.", montant=Decimal(montant))


def test_un_organisme_non_eligible_est_refuse_avec_sa_raison(equipe, appel):
    organisme = equipe["organisme"].organisme
    organisme.famille = Famille.ASSOCIATION
    organisme.save()
    with pytest.raises(ErreurAppel, match="« Association » n'est pas éligible"):
        deposer(equipe, appel)


def test_les_regles_du_depot_expliquees_ensemble(equipe, appel):
    with pytest.raises(ErreurAppel) as erreur:
        deposer(equipe, appel, date_debut=datetime.date(2014, 1, 1), duree_mois=48,
                autres_financements_publics=Decimal("100000.00"))
    message = str(erreur.value)
    assert "avant sa demande" in message and "au plus 36 mois" in message and "80 %" in message


def test_un_pret_bonifie_precise_taux_et_duree(equipe, appel):
    with pytest.raises(ErreurAppel, match="taux et sa durée"):
        deposer(equipe, appel, type_aide=TypeAide.PRET_BONIFIE)
    candidature = deposer(equipe, appel, type_aide=TypeAide.PRET_BONIFIE, taux_pret=Decimal("0.0100"),
                          duree_pret_mois=120)
    assert candidature.projet_innovation.duree_pret_mois == 120


def test_l_enveloppe_de_l_annee_refuse_un_octroi_excessif(equipe, appel):
    enveloppe = selectors.EnveloppeInnovation.objects.get(annee=2014)
    enveloppe.montant = Decimal("100000.00")
    enveloppe.save()
    premiere = instruire(equipe, deposer(equipe, appel))
    accorder(equipe, premiere, "80000.00")
    seconde = instruire(equipe, deposer(equipe, appel, montant_demande=Decimal("30000.00")))
    with pytest.raises(ErreurAppel, match="L'enveloppe 2014 du fonds .* il reste 20\u00a0000,00\u00a0€"):
        accorder(equipe, seconde, "30000.00")
    seconde.refresh_from_db()
    assert seconde.statut == S.INSTRUITE and seconde.montant_accorde is None


def test_le_plafond_de_500_000_euros_par_organisme_sur_36_mois(equipe, appel):
    for _ in range(2):
        candidature = instruire(equipe, deposer(equipe, appel, montant_demande=Decimal("200000.00"),
                                                cout_total=Decimal("500000.00"),
                                                autres_financements_publics=Decimal("0.00")))
        accorder(equipe, candidature, "200000.00")
    troisieme = instruire(equipe, deposer(equipe, appel, montant_demande=Decimal("150000.00"),
                                          cout_total=Decimal("500000.00"),
                                          autres_financements_publics=Decimal("0.00")))
    with pytest.raises(ErreurAppel, match="déjà reçu 400\u00a0000,00\u00a0€ .* laisse 100\u00a0000,00\u00a0€"):
        accorder(equipe, troisieme, "150000.00")
    accorder(equipe, troisieme, "100000.00")
    assert selectors.accorde_organisme_36_mois(equipe["organisme"].organisme_id, timezone.localdate()) == \
        Decimal("500000.00")


def test_le_cofinancement_est_reverifie_au_montant_accorde(equipe, appel):
    candidature = instruire(equipe, deposer(equipe, appel))  # coût 200 000, autres 40 000
    with pytest.raises(ErreurAppel, match="80 % du coût"):
        accorder(equipe, candidature, "120000.01")


def test_une_convention_au_dela_de_23_000_euros(equipe, appel):
    gestionnaire = equipe["gestionnaire"]
    candidature = instruire(equipe, deposer(equipe, appel))
    accorder(equipe, candidature, "50000.00")
    with pytest.raises(ErreurAppel, match="exige une convention signée"):
        appels.candidature_transitionner(acting_user=gestionnaire, candidature=candidature, vers=S.EN_COURS)
    with pytest.raises(ErreurAppel, match="ne s'engage qu'une fois la convention signée"):
        appels.versement_enregistrer(acting_user=gestionnaire, candidature=candidature,
                                     nature=NatureVersement.ENGAGEMENT)
    services.convention_enregistrer(acting_user=gestionnaire, candidature=candidature, reference="CGLLS-2014-001",
                                    signee_le=datetime.date(2014, 9, 1))
    appels.versement_enregistrer(acting_user=gestionnaire, candidature=candidature,
                                 nature=NatureVersement.ENGAGEMENT)
    petite = instruire(equipe, deposer(equipe, appel, montant_demande=Decimal("20000.00")))
    accorder(equipe, petite, "20000.00")
    appels.candidature_transitionner(acting_user=gestionnaire, candidature=petite, vers=S.EN_COURS)


def test_le_bilan_annuel_alimente_l_enveloppe_suivante(equipe, appel):
    gestionnaire = equipe["gestionnaire"]
    candidature = instruire(equipe, deposer(equipe, appel))
    accorder(equipe, candidature, "80000.00")
    instruire(equipe, deposer(equipe, appel, montant_demande=Decimal("45000.50")))  # recevable, non financée
    bilan = services.bilan_etablir(acting_user=gestionnaire, annee=2014)
    assert (bilan.nb_candidatures, bilan.nb_retenues) == (2, 1)
    assert bilan.montant_accorde == Decimal("80000.00") and bilan.demande_en_attente == Decimal("45000.50")
    assert bilan.enveloppe_proposee == Decimal("126000.00")
    suivante = services.enveloppe_reconduire(acting_user=gestionnaire, annee=2014)
    assert (suivante.annee, suivante.montant) == (2015, Decimal("126000.00"))
    with pytest.raises(ErreurAppel, match="ne peut descendre sous"):
        services.enveloppe_fixer(acting_user=gestionnaire, annee=2014, montant=Decimal("79999.99"))
