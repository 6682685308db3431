"""The campaign's life (docs/cycle-campagne.md): four-eyes validation, the year frozen in the database, notification,
closing, reopening, and the audit trail (docs/audit.md)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from mutualisation import selectors
from mutualisation.enums import StatutCalcul, StatutCampagne
from mutualisation.models import (
    Ajustement,
    ApprobationCalcul,
    Bareme,
    BaseAnnuelle,
    Calcul,
    Campagne,
    Pret,
    Restructuration,
    ResultatOrganisme,
    ValidationCalcul,
)
from mutualisation.referentiels import baremes_charger
from mutualisation.services.campagne import (
    ErreurCampagne,
    ajustement_enregistrer,
    bareme_modifier,
    bareme_obtenir,
    calcul_executer,
    calcul_lancer,
)
from mutualisation.services.cycle import (
    ActionRefusee,
    calcul_approuver,
    campagne_clore,
    campagne_notifier,
    campagne_reouvrir,
)
from mutualisation.services.imports import import_soumettre
from mutualisation.tasks import calcul_executer_tache
from pacte.audit import ContexteAuditMiddleware
from pacte.enums import Role
from pacte.models import Evenement, Travail, Utilisateur
from pacte.services import utilisateur_creer
from tests.factories import OrganismeFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db


def _membre(nom: str, role=Role.COMMISSION) -> Utilisateur:
    return UtilisateurFactory(username=nom, email=f"{nom}@commission.test", role=role)


def _donnees(organisme, annee: int, numero: str) -> None:
    BaseAnnuelle.objects.create(organisme=organisme, annee=annee, patrimoine_locatif=1000,
                                loyers=Decimal("4000000.00"), logements=1000, cotisation_cglls=Decimal("60000.00"))
    Pret.objects.create(numero_pret=numero, organisme=organisme, produit="PLUS", date_signature=date(annee, 6, 1),
                        montant=Decimal("1000000.00"), nb_logements=10, zone="1")
    Restructuration.objects.create(organisme=organisme, annee=annee, reference=f"R{annee}", nb_logements=3,
                                   zone_detendue=True)


@pytest.fixture
def membres(personas):
    """Who launches the run (a commission member too), and two other members: A and B."""
    return {"lanceur": _membre("lanceur"), "a": _membre("membre-a"), "b": _membre("membre-b")}


@pytest.fixture
def annee_2013(membres):
    """2013 computed by the launcher, with an adjustment; 2014 open with data of its own."""
    baremes_charger()
    bareme_obtenir(annee=2014)
    oph, esh = OrganismeFactory(), OrganismeFactory()
    for organisme, numero in ((oph, "P1"), (esh, "P2")):
        _donnees(organisme, 2013, f"{numero}-2013")
    _donnees(oph, 2014, "P1-2014")
    ajustement_enregistrer(acting_user=membres["a"], annee=2013, siren=oph.siren, montant=Decimal("1500.00"),
                           motif="Cas particulier examiné en commission")
    ajustement_enregistrer(acting_user=membres["a"], annee=2014, siren=oph.siren, montant=Decimal("10.00"),
                           motif="Cas 2014")
    calcul = _calculer(membres["lanceur"])
    return {"calcul": calcul, "oph": oph, "esh": esh}


def _calculer(acting_user, annee=2013, simulation=False) -> Calcul:
    calcul = calcul_lancer(acting_user=acting_user, annee=annee, simulation=simulation, sur_le_worker=False)
    return calcul_executer(calcul.pk)


def _valider(membres, calcul) -> Calcul:
    calcul_approuver(acting_user=membres["a"], calcul_id=calcul.pk)
    calcul_approuver(acting_user=membres["b"], calcul_id=calcul.pk)
    calcul.refresh_from_db()
    return calcul


def _sql(requete: str, parametres=()) -> int:
    with transaction.atomic(), connection.cursor() as curseur:
        curseur.execute(requete, parametres)
        return curseur.rowcount


def _refuse(requete: str, parametres=(), motif="figée"):
    with pytest.raises(IntegrityError, match=motif):
        _sql(requete, parametres)


# --- Four eyes ------------------------------------------------------------------------------------------------------


def test_le_lanceur_ne_peut_pas_approuver_son_calcul(membres, annee_2013):
    calcul = annee_2013["calcul"]
    with pytest.raises(ErreurCampagne, match="quatre yeux"):
        calcul_approuver(acting_user=membres["lanceur"], calcul_id=calcul.pk)
    with pytest.raises(IntegrityError, match="ne peut pas l'approuver"), transaction.atomic():
        ApprobationCalcul.objects.create(calcul=calcul, membre=membres["lanceur"])  # the database says so too
    assert not ApprobationCalcul.objects.exists()


def test_deux_membres_distincts_valident_le_calcul(membres, annee_2013):
    calcul = annee_2013["calcul"]
    calcul_approuver(acting_user=membres["a"], calcul_id=calcul.pk)
    calcul.refresh_from_db()
    assert not calcul.valide and Campagne.objects.get(annee=2013).statut == StatutCampagne.CALCULEE
    calcul_approuver(acting_user=membres["b"], calcul_id=calcul.pk)
    calcul.refresh_from_db()
    assert calcul.valide and Campagne.objects.get(annee=2013).statut == StatutCampagne.VALIDEE
    assert ValidationCalcul.objects.get().calcul == calcul == selectors.calcul_valide(2013)
    evenement = Evenement.objects.get(action="calcul_valider")
    assert evenement.auteur == membres["b"] and evenement.details["membres"] == ["membre-a", "membre-b"]


def test_approuver_deux_fois_est_impossible(membres, annee_2013):
    calcul = annee_2013["calcul"]
    calcul_approuver(acting_user=membres["a"], calcul_id=calcul.pk)
    with pytest.raises(ErreurCampagne, match="déjà approuvé"):
        calcul_approuver(acting_user=membres["a"], calcul_id=calcul.pk)
    with pytest.raises(IntegrityError, match="une_approbation_par_membre_et_calcul"), transaction.atomic():
        ApprobationCalcul.objects.create(calcul=calcul, membre=membres["a"])
    calcul.refresh_from_db()
    assert not calcul.valide and calcul.approbations.count() == 1


def test_une_simulation_ou_un_calcul_en_echec_ne_s_approuve_pas(membres, annee_2013):
    simulation = _calculer(membres["lanceur"], simulation=True)
    with pytest.raises(ErreurCampagne, match="simulation"):
        calcul_approuver(acting_user=membres["a"], calcul_id=simulation.pk)
    with pytest.raises(IntegrityError, match="terminé de la campagne"), transaction.atomic():
        ApprobationCalcul.objects.create(calcul=simulation, membre=membres["a"])
    echec = Calcul.objects.create(campagne=annee_2013["calcul"].campagne, statut=StatutCalcul.ECHEC,
                                  lance_par=membres["lanceur"])
    with pytest.raises(ErreurCampagne, match="pas terminé"):
        calcul_approuver(acting_user=membres["a"], calcul_id=echec.pk)
    with pytest.raises(IntegrityError, match="terminé de la campagne"), transaction.atomic():
        ApprobationCalcul.objects.create(calcul=echec, membre=membres["a"])


def test_seul_le_dernier_calcul_de_l_annee_s_approuve(membres, annee_2013):
    ancien = annee_2013["calcul"]
    nouveau = _calculer(membres["lanceur"])
    with pytest.raises(ErreurCampagne, match="n'est plus le dernier"):
        calcul_approuver(acting_user=membres["a"], calcul_id=ancien.pk)
    assert _valider(membres, nouveau).valide


def test_une_simulation_reste_possible_sur_une_annee_validee_sans_toucher_au_calcul_valide(membres, annee_2013):
    calcul = _valider(membres, annee_2013["calcul"])
    avant = list(calcul.resultats.order_by("organisme_id").values_list("solde", flat=True))
    simulation = _calculer(membres["a"], simulation=True)
    assert simulation.statut == StatutCalcul.TERMINE and not simulation.valide
    assert list(calcul.resultats.order_by("organisme_id").values_list("solde", flat=True)) == avant
    with pytest.raises(ErreurCampagne, match="figés"):
        calcul_lancer(acting_user=membres["a"], annee=2013, sur_le_worker=False)


# --- Frozen in the database -----------------------------------------------------------------------------------------


def test_sql_brut_refuse_sur_le_resultat_valide(membres, annee_2013):
    calcul = _valider(membres, annee_2013["calcul"])
    with pytest.raises(IntegrityError):  # refused whatever the reason: here the check constraint fires first
        _sql("UPDATE mutualisation_resultatorganisme SET solde = 0 WHERE calcul_id = %s", [calcul.pk])
    _refuse("UPDATE mutualisation_resultatorganisme SET exonere = NOT exonere WHERE calcul_id = %s", [calcul.pk])
    _refuse("DELETE FROM mutualisation_resultatorganisme WHERE calcul_id = %s", [calcul.pk])
    _refuse("UPDATE mutualisation_calcul SET totaux = '{}' WHERE id = %s", [calcul.pk], motif="validé")
    simulation = _calculer(membres["a"], simulation=True)  # a run that is not the validated one stays writable
    assert _sql("UPDATE mutualisation_resultatorganisme SET exonere = NOT exonere WHERE calcul_id = %s",
                [simulation.pk]) == ResultatOrganisme.objects.filter(calcul=simulation).count()


@pytest.mark.parametrize(
    ("requete", "annee_ouverte"),
    [
        ("UPDATE mutualisation_bareme SET frais_gestion = 1 WHERE annee = {annee}", True),
        ("UPDATE mutualisation_baseannuelle SET loyers = loyers + 1 WHERE annee = {annee}", True),
        ("UPDATE mutualisation_restructuration SET nb_logements = 4 WHERE annee = {annee}", True),
        ("UPDATE mutualisation_pret SET montant = montant + 1 WHERE extract(year FROM date_signature) = {annee}",
         True),
        ("UPDATE mutualisation_ajustement SET montant = 2 WHERE campagne_id IN "
         "(SELECT id FROM mutualisation_campagne WHERE annee = {annee})", True),
        ("DELETE FROM mutualisation_restructuration WHERE annee = {annee}", True),
        ("DELETE FROM mutualisation_pret WHERE extract(year FROM date_signature) = {annee}", True),
    ],
)
def test_sql_brut_refuse_sur_l_annee_validee_l_autre_annee_reste_modifiable(membres, annee_2013, requete,
                                                                              annee_ouverte):
    _valider(membres, annee_2013["calcul"])
    _refuse(requete.format(annee=2013))
    assert _sql(requete.format(annee=2014)) >= 1


def test_ajout_ou_deplacement_vers_l_annee_validee_refuse(membres, annee_2013):
    _valider(membres, annee_2013["calcul"])
    oph = annee_2013["oph"].siren
    _refuse("INSERT INTO mutualisation_pret (numero_pret, numero_operation, siren, produit, date_signature, montant, "
            "nb_logements, zone, code_commune) VALUES ('P9', '', %s, 'PLAI', '2013-09-01', 10, 1, '1', '')", [oph])
    _refuse("UPDATE mutualisation_pret SET date_signature = '2013-12-31' WHERE numero_pret = 'P1-2014'")
    _refuse("DELETE FROM mutualisation_bareme WHERE annee = 2013")
    assert Pret.objects.filter(date_signature__year=2013).count() == 2


def test_services_et_imports_refusent_l_annee_validee(membres, annee_2013, settings, tmp_path):
    settings.FICHIERS_DIR = tmp_path
    _valider(membres, annee_2013["calcul"])
    with pytest.raises(ErreurCampagne, match="figés"):
        bareme_modifier(acting_user=membres["a"], annee=2013, valeurs={"frais_gestion": Decimal("1")})
    with pytest.raises(ErreurCampagne, match="figés"):
        ajustement_enregistrer(acting_user=membres["a"], annee=2013, siren=annee_2013["oph"].siren,
                               montant=Decimal("1"), motif="Trop tard")
    siren = annee_2013["esh"].siren
    contenu = ("numero_pret;numero_operation;siren;produit;date_signature;montant;nb_logements;zone;code_commune\n"
               f"P10;OP10;{siren};PLUS;2013-05-17;1000,00;10;1;75056\n"
               f"P11;OP11;{siren};PLUS;2013-06-17;1000,00;10;1;75056\n").encode()
    fichier = import_soumettre(acting_user=None, type_fichier="prets", nom_fichier="prets-2013.csv", contenu=contenu)
    assert fichier.statut == "refuse"
    assert "Année(s) figée(s) : 2013" in fichier.message and "administrateur" in fichier.message
    assert not Pret.objects.filter(numero_pret__in=["P10", "P11"]).exists()


# --- Notification, closing, reopening -------------------------------------------------------------------------------


def test_notifier_puis_clore(membres, annee_2013, personas, django_capture_on_commit_callbacks):
    with pytest.raises(ErreurCampagne, match="seule une campagne validée"):
        campagne_notifier(acting_user=membres["a"], annee=2013)
    _valider(membres, annee_2013["calcul"])
    with pytest.raises(ActionRefusee):
        campagne_notifier(acting_user=personas[Role.COMITE_SUIVI], annee=2013)
    with pytest.raises(ErreurCampagne, match="seule une campagne notifiée"):
        campagne_clore(acting_user=membres["a"], annee=2013)
    with django_capture_on_commit_callbacks() as rappels:
        assert campagne_notifier(acting_user=membres["a"], annee=2013).statut == StatutCampagne.NOTIFIEE
    travail = Travail.objects.get(nature="avis_generer")  # the notices, enqueued once the transition commits
    assert travail.parametres == {"annee": 2013, "calcul": annee_2013["calcul"].pk} and len(rappels) == 1
    assert campagne_clore(acting_user=membres["b"], annee=2013).statut == StatutCampagne.CLOSE
    _refuse("UPDATE mutualisation_bareme SET frais_gestion = 1 WHERE annee = 2013")  # still frozen


def test_reouvrir_exige_un_administrateur_et_un_motif_et_garde_l_historique(membres, annee_2013, personas):
    calcul = _valider(membres, annee_2013["calcul"])
    admin = personas[Role.ADMINISTRATEUR]
    for role in (Role.COMMISSION, Role.EQUIPE_USH):
        with pytest.raises(ActionRefusee):
            campagne_reouvrir(acting_user=personas[role], annee=2013, motif="Erreur de saisie")
    with pytest.raises(ErreurCampagne, match="motif"):
        campagne_reouvrir(acting_user=admin, annee=2013, motif="   ")
    reouverture = campagne_reouvrir(acting_user=admin, annee=2013, motif="Base CGLLS corrigée par la CGLLS")
    calcul.refresh_from_db()
    assert Campagne.objects.get(annee=2013).statut == StatutCampagne.CALCULEE and not calcul.valide
    assert reouverture.statut_precedent == StatutCampagne.VALIDEE and reouverture.calcul == calcul
    validation = ValidationCalcul.objects.get()
    assert validation.reouverture == reouverture and validation.reouverte_le == reouverture.created_at
    assert [a.annulee_par_reouverture for a in calcul.approbations.all()] == [reouverture, reouverture]
    # The freeze is lifted: the barème and the run can change again, and the members may approve anew — the run
    # only while its inputs are unchanged.
    frais = Bareme.objects.get(annee=2013).frais_gestion
    assert _sql("UPDATE mutualisation_bareme SET frais_gestion = 1 WHERE annee = 2013") == 1
    with pytest.raises(ErreurCampagne, match="ont changé depuis le calcul"):
        calcul_approuver(acting_user=membres["a"], calcul_id=calcul.pk)
    assert _sql("UPDATE mutualisation_bareme SET frais_gestion = %s WHERE annee = 2013", [frais]) == 1
    assert _valider(membres, calcul).valide and calcul.approbations.count() == 4
    # History rows are never erased, nor changed once superseded.
    _refuse("DELETE FROM mutualisation_approbationcalcul", motif="Historique")
    _refuse("UPDATE mutualisation_approbationcalcul SET annulee_par_reouverture_id = NULL", motif="Historique")
    _refuse("DELETE FROM mutualisation_validationcalcul", motif="Historique")


def test_chronologie_de_la_campagne(membres, annee_2013, personas):
    _valider(membres, annee_2013["calcul"])
    campagne_notifier(acting_user=membres["a"], annee=2013)
    campagne_reouvrir(acting_user=personas[Role.ADMINISTRATEUR], annee=2013, motif="Recours d'un organisme")
    etapes = selectors.campagne_chronologie(2013)
    calcul = annee_2013["calcul"].pk
    assert [etape.libelle for etape in etapes] == [
        "Ajustement enregistré pour " + f"{annee_2013['oph'].siren} : 1\u00a0500,00\u00a0€",
        f"Calcul n° {calcul} lancé",
        f"Calcul n° {calcul} terminé",
        f"Calcul n° {calcul} approuvé (1/2)",
        f"Calcul n° {calcul} approuvé (2/2)",
        f"Calcul n° {calcul} validé : l'année est figée",
        "Campagne notifiée",
        "Année rouverte : Recours d'un organisme",
    ]
    assert [etape.auteur_libelle for etape in etapes][3:5] == ["membre-a", "membre-b"]


# --- Permissions ----------------------------------------------------------------------------------------------------


def test_seule_la_commission_approuve_seul_l_administrateur_rouvre(membres, annee_2013, personas):
    calcul = annee_2013["calcul"]
    for role, utilisateur in personas.items():
        if role == Role.COMMISSION:
            continue
        with pytest.raises(ActionRefusee):
            calcul_approuver(acting_user=utilisateur, calcul_id=calcul.pk)
    assert not ApprobationCalcul.objects.exists()
    _valider(membres, calcul)
    for role, utilisateur in personas.items():
        if role != Role.ADMINISTRATEUR:
            with pytest.raises(ActionRefusee):
                campagne_reouvrir(acting_user=utilisateur, annee=2013, motif="Essai")
    assert {role for role, u in personas.items() if u.has_perm("mutualisation.reouvrir_campagne")} == {
        Role.ADMINISTRATEUR}
    assert {role for role, u in personas.items() if u.has_perm("mutualisation.approuver_calcul")} == {
        Role.COMMISSION, Role.ADMINISTRATEUR}  # the administrator holds every permission, yet is no member


# --- Command line ---------------------------------------------------------------------------------------------------


def _commande(*arguments) -> str:
    sortie = io.StringIO()
    call_command("mutualisation", *arguments, stdout=sortie)
    return sortie.getvalue()


def test_commande_valider(membres, annee_2013, personas):
    for email, motif in (("inconnu@exemple.test", "Aucun utilisateur actif"),
                         (membres["lanceur"].email, "quatre yeux"),
                         ("  ", "e-mail du membre de la commission manquante")):
        with pytest.raises(CommandError, match=motif):
            _commande("valider", "2013", "--par", email)
    UtilisateurFactory(username="ush", email="ush@exemple.test", role=Role.EQUIPE_USH)
    with pytest.raises(CommandError, match="n'est pas membre de la commission"):
        _commande("valider", "2013", "--par", "ush@exemple.test")
    assert "(1/2)" in _commande("valider", "2013", "--par", "membre-a@commission.test")
    with pytest.raises(CommandError, match="déjà approuvé"):
        _commande("valider", "2013", "--par", "MEMBRE-A@commission.test")
    assert "il est validé, l'année 2013 est figée" in _commande("valider", "2013", "--par", "membre-b@commission.test")
    with pytest.raises(CommandError, match="Aucun calcul de l'année 2015"):
        _commande("valider", "2015", "--par", "membre-a@commission.test")


# --- Audit trail ----------------------------------------------------------------------------------------------------


def test_audit_d_une_commande_avant_apres_et_provenance(membres, annee_2013):
    _commande("bareme", "2014", "--set", "frais_gestion=1000")
    ligne = next(ligne for ligne in selectors.audit_de_la_campagne(2014)
                 if ligne.table == "barème" and ligne.action == "modification")
    assert (ligne.avant, ligne.apres) == ({"frais_gestion": Decimal("0.00")}, {"frais_gestion": Decimal("1000.00")})
    assert ligne.source == "commande" and ligne.origine.startswith("mutualisation")
    assert "--action=bareme" in ligne.origine and "frais_gestion=1000" in ligne.origine


def test_audit_d_une_requete_et_d_une_tache(membres, annee_2013):
    requete = RequestFactory().post("/mutualisation/2014/bareme/")
    requete.user = membres["a"]

    def vue(requete):
        bareme_modifier(acting_user=requete.user, annee=2014, valeurs={"frais_gestion": Decimal("250")})
        return HttpResponse()

    ContexteAuditMiddleware(vue)(requete)
    ligne = next(ligne for ligne in selectors.audit_de_la_campagne(2014) if ligne.table == "barème")
    assert ligne.apres == {"frais_gestion": Decimal("250.00")} and ligne.auteur == "membre-a"
    assert (ligne.source, ligne.origine, ligne.contexte["methode"]) == ("page", "/mutualisation/2014/bareme/", "POST")

    calcul = calcul_lancer(acting_user=membres["a"], annee=2014, sur_le_worker=False)
    calcul_executer_tache.apply((calcul.pk,))
    lignes = [ligne for ligne in selectors.audit_de_la_campagne(2014)
              if ligne.table == "calcul" and ligne.apres.get("statut") == StatutCalcul.TERMINE]
    assert [(ligne.source, ligne.origine) for ligne in lignes] == [
        ("tache", "mutualisation.tasks.calcul_executer_tache")]


def test_audit_par_organisme_et_des_imports_en_masse(membres, annee_2013):
    oph = annee_2013["oph"].siren
    Pret.objects.filter(organisme_id=oph, date_signature__year=2014).update(montant=Decimal("2000000.00"))  # bulk
    lignes = selectors.audit_de_l_organisme(oph)
    pret = next(ligne for ligne in lignes if ligne.table == "prêt")
    assert (pret.objet, pret.avant, pret.apres) == (
        "P1-2014", {"montant": Decimal("1000000.00")}, {"montant": Decimal("2000000.00")})
    ajustements = [ligne for ligne in lignes if ligne.table == "ajustement"]
    assert {ligne.apres["motif"] for ligne in ajustements} == {"Cas particulier examiné en commission", "Cas 2014"}
    assert all(ligne.action == "création" and ligne.apres["auteur_id"] == membres["a"].pk for ligne in ajustements)


def test_audit_des_approbations_et_des_roles(membres, annee_2013, personas):
    _valider(membres, annee_2013["calcul"])
    tables = {(ligne.table, ligne.action) for ligne in selectors.audit_de_la_campagne(2013)}
    assert {("approbation de calcul", "création"), ("validation de calcul", "création"),
            ("campagne", "modification")} <= tables
    utilisateur = utilisateur_creer(username="referent", role=Role.COMITE_SUIVI, password=None)
    utilisateur_creer(username="referent", role=Role.SECRETARIAT, password=None)
    Evenement_role = Utilisateur.pgh_event_model
    roles = list(Evenement_role.objects.filter(pgh_obj=utilisateur).order_by("pgh_id")
                 .values_list("pgh_label", "role"))
    assert roles == [("creation", Role.COMITE_SUIVI), ("avant_modification", Role.COMITE_SUIVI),
                     ("modification", Role.SECRETARIAT)]
    groupes = Utilisateur.groups.through.pgh_event_model
    labels = groupes.objects.filter(utilisateur=utilisateur).order_by("pgh_id").values_list("pgh_label", flat=True)
    assert list(labels) == ["creation", "suppression", "creation"]


@pytest.mark.parametrize("table", ["mutualisation_baremeevent", "mutualisation_approbationcalculevent",
                                   "pacte_utilisateurevent", "pacte_evenement"])
def test_les_lignes_d_audit_ne_changent_jamais(membres, annee_2013, table):
    _valider(membres, annee_2013["calcul"])
    colonne = "id" if table == "pacte_evenement" else "pgh_id"
    for requete in (f"UPDATE {table} SET {colonne} = {colonne}", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            _sql(requete)
    assert Bareme.objects.filter(annee=2013).exists() and Ajustement.objects.count() == 2
