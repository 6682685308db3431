"""The shared workflow: filing, completion requests, scoring, decisions, payments, every move audited."""

import datetime
from decimal import Decimal

import pytest

from pacte.appels import selectors, services, workflow
from pacte.appels.enums import NatureVersement, StatutCandidature
from pacte.appels.regles import ErreurAppel
from pacte.enums import Role
from pacte.models import Evenement
from pacte.models_appels import HistoriqueStatut
from tests.appels.factories import AppelFactory
from tests.factories import OrganismeFactory

S = StatutCandidature


def _deposer(equipe, appel, **champs):
    organisme = equipe["organisme"].organisme
    donnees = {"intitule": "Projet", "resume": "Résumé", "montant_demande": Decimal("60000.00"),
               "date_depot": datetime.date(2016, 3, 1), **champs}
    return services.candidature_deposer(acting_user=equipe["organisme"], appel=appel, organisme=organisme, **donnees)


@pytest.fixture
def appel(db):
    return AppelFactory(logements_accompagnes=True, annee=2016)


def _instruire(equipe, candidature):
    for vers in (S.RECEVABLE, S.INSTRUITE):
        candidature = services.candidature_transitionner(acting_user=equipe["membre_1"], candidature=candidature,
                                                         vers=vers)
    return candidature


def test_le_parcours_complet_est_historise_et_audite(equipe, appel):
    candidature = _deposer(equipe, appel)
    assert candidature.statut == S.DEPOSEE
    services.candidature_transitionner(acting_user=equipe["membre_1"], candidature=candidature, vers=S.A_COMPLETER,
                                       motif="Joindre le budget de l'accompagnement.")
    services.candidature_transitionner(acting_user=equipe["organisme"], candidature=candidature, vers=S.DEPOSEE,
                                       motif="Budget joint.")
    candidature = _instruire(equipe, candidature)
    decision = services.candidature_decider(acting_user=equipe["gestionnaire"], candidature=candidature,
                                            retenue=True, motif="Projet partenarial reproductible.",
                                            montant=Decimal("45000.00"))
    assert decision.montant == Decimal("45000.00")
    candidature.refresh_from_db()
    assert candidature.statut == S.RETENUE and candidature.montant_accorde == Decimal("45000.00")
    suite = list(HistoriqueStatut.objects.filter(candidature=candidature).values_list("vers", flat=True))
    assert suite == [S.DEPOSEE, S.A_COMPLETER, S.DEPOSEE, S.RECEVABLE, S.INSTRUITE, S.RETENUE]
    assert Evenement.objects.filter(action="candidature_statut", objet=candidature.numero).count() == 6


def test_une_demande_de_complement_est_motivee(equipe, appel):
    candidature = _deposer(equipe, appel)
    with pytest.raises(ErreurAppel, match="doit être motivé"):
        services.candidature_transitionner(acting_user=equipe["membre_1"], candidature=candidature,
                                           vers=S.A_COMPLETER)


def test_seul_l_organisme_complete_son_dossier(equipe, appel, personas):
    candidature = _deposer(equipe, appel)
    services.candidature_transitionner(acting_user=equipe["membre_1"], candidature=candidature, vers=S.A_COMPLETER,
                                       motif="Préciser les partenaires.")
    autre = OrganismeFactory()
    intrus = personas[Role.ORGANISME].__class__.objects.create(username="autre-bailleur", role=Role.ORGANISME,
                                                               organisme=autre)
    intrus.groups.set(personas[Role.ORGANISME].groups.all())
    with pytest.raises(ErreurAppel, match="ses propres dossiers"):
        services.candidature_transitionner(acting_user=intrus, candidature=candidature, vers=S.DEPOSEE)


def test_un_organisme_ne_depose_pas_pour_un_autre(equipe, appel):
    with pytest.raises(ErreurAppel, match="ses propres dossiers"):
        services.candidature_deposer(acting_user=equipe["organisme"], appel=appel, organisme=OrganismeFactory(),
                                     intitule="x", resume="y", montant_demande=Decimal("1.00"),
                                     date_depot=datetime.date(2016, 3, 1))


def test_un_appel_clos_refuse_le_depot(equipe, db):
    appel = AppelFactory(date_ouverture=datetime.date(2014, 1, 1), date_cloture=datetime.date(2014, 3, 31))
    with pytest.raises(ErreurAppel, match="ouvert du 01/01/2014 au 31/03/2014"):
        _deposer(equipe, appel, date_depot=datetime.date(2014, 4, 1))


def test_les_transitions_interdites_et_les_roles(equipe, appel):
    candidature = _deposer(equipe, appel)
    with pytest.raises(ErreurAppel, match="Passage impossible"):
        services.candidature_transitionner(acting_user=equipe["membre_1"], candidature=candidature,
                                           vers=S.RETENUE)
    with pytest.raises(ErreurAppel, match="Votre rôle"):
        services.candidature_transitionner(acting_user=equipe["organisme"], candidature=candidature,
                                           vers=S.RECEVABLE)
    with pytest.raises(ErreurAppel, match="doit d'abord être instruite"):
        services.candidature_decider(acting_user=equipe["gestionnaire"], candidature=candidature, retenue=True,
                                     motif="Trop tôt", montant=Decimal("1.00"))
    with pytest.raises(ErreurAppel, match="Votre rôle"):
        services.candidature_decider(acting_user=equipe["membre_1"], candidature=candidature, retenue=False,
                                     motif="Non")


def test_irrecevable_est_une_decision_motivee(equipe, appel):
    candidature = _deposer(equipe, appel)
    services.candidature_transitionner(acting_user=equipe["membre_1"], candidature=candidature, vers=S.IRRECEVABLE,
                                       motif="Hors du champ de l'appel.")
    assert candidature.decisions.get().motif == "Hors du champ de l'appel."


def test_notes_de_deux_membres_et_moyennes(equipe, appel):
    candidature = _instruire(equipe, _deposer(equipe, appel))
    criteres = list(appel.criteres.all())
    services.notes_enregistrer(acting_user=equipe["membre_1"], candidature=candidature,
                               notes={criteres[0].pk: 14, criteres[1].pk: 10})
    services.notes_enregistrer(acting_user=equipe["membre_2"], candidature=candidature,
                               notes={criteres[0].pk: 18, criteres[1].pk: 12})
    # A member's new score replaces the previous one.
    services.notes_enregistrer(acting_user=equipe["membre_2"], candidature=candidature,
                               notes={criteres[0].pk: 16, criteres[1].pk: 12})
    resultat = selectors.moyennes(candidature)
    assert [c["moyenne"] for c in resultat["criteres"]] == [15, 11]
    assert resultat["generale"] == 13 and resultat["evaluateurs"] == 2
    with pytest.raises(ErreurAppel, match="entre 0 et 20"):
        services.notes_enregistrer(acting_user=equipe["membre_1"], candidature=candidature,
                                   notes={criteres[0].pk: 21, criteres[1].pk: 10})
    with pytest.raises(ErreurAppel, match="Chaque critère"):
        services.notes_enregistrer(acting_user=equipe["membre_1"], candidature=candidature,
                                   notes={criteres[0].pk: 10})
    with pytest.raises(ErreurAppel, match="Votre rôle"):
        services.notes_enregistrer(acting_user=equipe["gestionnaire"], candidature=candidature,
                                   notes={criteres[0].pk: 10, criteres[1].pk: 10})


def test_l_enveloppe_et_le_plafond_de_l_appel(equipe, appel):
    appel.enveloppe = Decimal("100000.00")
    appel.save()
    premiere = _instruire(equipe, _deposer(equipe, appel))
    seconde = _instruire(equipe, _deposer(equipe, appel))
    with pytest.raises(ErreurAppel, match="plafond de l'appel par projet"):
        services.candidature_decider(acting_user=equipe["gestionnaire"], candidature=premiere, retenue=True,
                                     motif="Oui", montant=Decimal("200000.01"))
    services.candidature_decider(acting_user=equipe["gestionnaire"], candidature=premiere, retenue=True,
                                 motif="Oui", montant=Decimal("60000.00"))
    with pytest.raises(ErreurAppel, match="il reste 40\u00a0000,00\u00a0€"):
        services.candidature_decider(acting_user=equipe["gestionnaire"], candidature=seconde, retenue=True,
                                     motif="Oui", montant=Decimal("40000.01"))
    services.candidature_decider(acting_user=equipe["gestionnaire"], candidature=seconde, retenue=True,
                                 motif="Oui", montant=Decimal("40000.00"))
    assert selectors.consommation_appel(appel)["disponible"] == Decimal("0.00")


def test_engagement_acomptes_puis_solde(equipe, appel):
    candidature = _instruire(equipe, _deposer(equipe, appel))
    gestionnaire = equipe["gestionnaire"]
    services.candidature_decider(acting_user=gestionnaire, candidature=candidature, retenue=True, motif="Oui",
                                 montant=Decimal("30000.00"))
    services.versement_enregistrer(acting_user=gestionnaire, candidature=candidature,
                                   nature=NatureVersement.ENGAGEMENT)
    with pytest.raises(ErreurAppel, match="déjà engagé"):
        services.versement_enregistrer(acting_user=gestionnaire, candidature=candidature,
                                       nature=NatureVersement.ENGAGEMENT)
    with pytest.raises(ErreurAppel, match="projet en cours"):
        services.versement_enregistrer(acting_user=gestionnaire, candidature=candidature,
                                       nature=NatureVersement.ACOMPTE, montant=Decimal("1000.00"))
    services.candidature_transitionner(acting_user=gestionnaire, candidature=candidature, vers=S.CONVENTIONNEE)
    services.candidature_transitionner(acting_user=gestionnaire, candidature=candidature, vers=S.EN_COURS)
    services.versement_enregistrer(acting_user=gestionnaire, candidature=candidature,
                                   nature=NatureVersement.ACOMPTE, montant=Decimal("12000.00"))
    with pytest.raises(ErreurAppel, match="reste à verser \\(18\u00a0000,00\u00a0€\\)"):
        services.versement_enregistrer(acting_user=gestionnaire, candidature=candidature,
                                       nature=NatureVersement.ACOMPTE, montant=Decimal("18000.00"))
    solde = services.versement_enregistrer(acting_user=gestionnaire, candidature=candidature,
                                           nature=NatureVersement.SOLDE)
    assert solde.montant == Decimal("18000.00")
    candidature.refresh_from_db()
    assert candidature.statut == S.SOLDEE
    conso = selectors.consommation_appel(appel)
    assert conso["engage"] == conso["verse"] == Decimal("30000.00")


def test_pieces_jointes_taille_et_type(equipe, appel, settings, tmp_path):
    settings.FICHIERS_DIR = tmp_path
    candidature = _deposer(equipe, appel)
    piece = services.piece_jointe_ajouter(acting_user=equipe["organisme"], candidature=candidature,
                                          nom="../../budget.pdf", contenu=b"%PDF-1.7 budget")
    assert piece.nom == "budget.pdf" and piece.type_mime == "application/pdf" and piece.taille == 15
    assert (tmp_path / piece.empreinte[:2]).is_dir()
    with pytest.raises(ErreurAppel, match="Type de fichier refusé"):
        services.piece_jointe_ajouter(acting_user=equipe["organisme"], candidature=candidature, nom="x.exe",
                                      contenu=b"MZ")
    with pytest.raises(ErreurAppel, match="ne correspond pas"):
        services.piece_jointe_ajouter(acting_user=equipe["organisme"], candidature=candidature, nom="x.pdf",
                                      contenu=b"<html>")
    with pytest.raises(ErreurAppel, match="taille maximale de 10 Mo"):
        services.piece_jointe_ajouter(acting_user=equipe["organisme"], candidature=candidature, nom="x.pdf",
                                      contenu=b"%PDF-" + b"0" * services.TAILLE_MAX_PIECE)


def test_commentaires_internes_reserves_au_comite(equipe, appel):
    candidature = _deposer(equipe, appel)
    services.commentaire_ajouter(acting_user=equipe["membre_1"], candidature=candidature, texte="À vérifier.",
                                 interne=True)
    services.commentaire_ajouter(acting_user=equipe["organisme"], candidature=candidature, texte="Question.")
    with pytest.raises(ErreurAppel, match="commentaires internes"):
        services.commentaire_ajouter(acting_user=equipe["organisme"], candidature=candidature, texte="x",
                                     interne=True)


def test_chaque_organisme_ne_voit_que_ses_dossiers(equipe, appel, personas):
    _deposer(equipe, appel)
    assert selectors.candidatures_visibles(equipe["organisme"]).count() == 1
    assert selectors.candidatures_visibles(equipe["membre_1"]).count() == 1
    assert selectors.candidatures_visibles(personas[Role.REFERENT_REGIONAL]).count() == 0


def test_la_table_du_workflow_est_coherente():
    for t in workflow.TRANSITIONS:
        assert t.de != t.vers
        assert t.de not in workflow.STATUTS_FINAUX
    assert all(t.motif_obligatoire for t in workflow.TRANSITIONS if t.vers == S.A_COMPLETER)
