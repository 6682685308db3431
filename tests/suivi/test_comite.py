"""The committee's work (§6, Annexe 5): commitment updates, meetings and the three-a-year rule, blocking points and
their history, the good practices library, regional diagnostics and their scope, the report pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from pacte.enums import Role
from pacte.models import Engagement, Evenement, Region, Travail
from pacte.services import referentiels_charger
from suivi import services
from suivi.models import DiagnosticRegional, HistoriqueBlocage, MiseAJourEngagement, PointDeBlocage, Reunion
from tests.factories import EngagementFactory, RegionFactory
from tests.suivi.fabriques_comite import (
    BonnePratiqueFactory,
    DiagnosticFactory,
    MiseAJourFactory,
    PointDeBlocageFactory,
    ReunionFactory,
    rapport_termine,
)


@pytest.fixture
def referentiels(db):
    referentiels_charger()


@pytest.fixture
def paca(db):
    return RegionFactory(code="93", nom="Provence-Alpes-Côte d'Azur", prioritaire=True)


def _connecter(client, personas, role):
    client.force_login(personas[role])
    return personas[role]


# --- Commitments -----------------------------------------------------------------------------------------------------


def test_une_mise_a_jour_datee_donne_son_statut_a_l_engagement(personas):
    secretariat = personas[Role.SECRETARIAT]
    engagement = EngagementFactory()

    services.engagement_mettre_a_jour(acting_user=secretariat, engagement=engagement, date=datetime.date(2014, 6, 1),
                                      statut="EN_COURS", commentaire="Décret publié.", preuve="JO du 01/06/2014")
    services.engagement_mettre_a_jour(acting_user=secretariat, engagement=engagement, date=datetime.date(2014, 1, 1),
                                      statut="A_LANCER", commentaire="Saisie tardive d'un point ancien.")

    engagement.refresh_from_db()
    assert engagement.statut == "EN_COURS"  # the latest-dated update wins, not the latest typed
    assert list(engagement.mises_a_jour.values_list("statut", flat=True)) == ["EN_COURS", "A_LANCER"]
    evenement = Evenement.objects.filter(action="engagement_mettre_a_jour").first()
    assert evenement.auteur == secretariat and evenement.objet == engagement.code


def test_seul_le_secretariat_met_a_jour_un_engagement(personas):
    with pytest.raises(PermissionDenied):
        services.engagement_mettre_a_jour(acting_user=personas[Role.COMITE_SUIVI], engagement=EngagementFactory(),
                                          date=datetime.date(2014, 6, 1), statut="REALISE", commentaire="…")
    assert not MiseAJourEngagement.objects.exists()


def test_la_fiche_d_un_engagement_montre_ses_mises_a_jour_et_le_formulaire_au_secretariat(client, personas):
    engagement = EngagementFactory(code="E39")
    MiseAJourFactory(engagement=engagement, commentaire="Trois réunions nationales tenues.")

    _connecter(client, personas, Role.COMITE_SUIVI)
    page = client.get(reverse("engagement", args=["E39"])).content.decode()
    assert "Trois réunions nationales tenues." in page
    assert "Enregistrer une mise à jour" not in page

    _connecter(client, personas, Role.SECRETARIAT)
    assert "Enregistrer une mise à jour" in client.get(reverse("engagement", args=["E39"])).content.decode()
    reponse = client.post(reverse("suivi:engagement-mise-a-jour", args=["E39"]), {
        "date": "2014-12-01", "statut": "REALISE", "commentaire": "Rapport adopté.", "preuve": "https://exemple.fr/cr"})
    assert reponse.status_code == 302 and reponse.url.endswith("/engagements/E39/#mises-a-jour")
    assert Engagement.objects.get(code="E39").statut == "REALISE"


def test_la_page_des_engagements_groupe_par_partie_et_section_avec_les_chiffres_de_l_etat(
        client, personas, referentiels, django_assert_max_num_queries):
    MiseAJourFactory(engagement=Engagement.objects.get(code="E04"), commentaire="Taux fixé par arrêté.")
    _connecter(client, personas, Role.COMITE_SUIVI)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("suivi:engagements")).content.decode()

    for titre in ("Engagements — État", "Engagements — Mouvement Hlm", "Engagements — État et mouvement Hlm",
                  "État — §1", "Mouvement Hlm — Annexe 5"):
        assert titre in page, titre
    assert page.count('<tr id="E') == 59
    assert "Taux fixé par arrêté." in page
    tableau = page[page.index('id="taux-eco-pret"'):page.index("</table>", page.index('id="taux-eco-pret"'))]
    # 1,75 % − 0,75 point = 1,00 % from 01/02/2013; 1,25 % − 0,75 = 0,50 % raised to the 1 % floor from 01/08/2013.
    assert "01/02/2013</td><td>31/07/2013</td><td class=\"fr-cell--right\">1,75\u00a0%</td>" in tableau
    assert tableau.count("plancher de 1 %") == 3
    assert "1,5\u00a0Md€" in page.replace("&nbsp;", "\u00a0") and "5\u00a0%" in page


# --- Meetings --------------------------------------------------------------------------------------------------------


def test_une_annee_de_moins_de_trois_reunions_nationales_est_signalee(client, personas):
    for jour in (datetime.date(2014, 2, 1), datetime.date(2014, 6, 1), datetime.date(2014, 10, 1)):
        ReunionFactory(date=jour)
    ReunionFactory(date=datetime.date(2015, 3, 1))
    ReunionFactory(date=datetime.date(2015, 4, 1), regionale=True)  # regional meetings do not count
    _connecter(client, personas, Role.COMITE_SUIVI)

    page = client.get(reverse("suivi:comite")).content.decode()

    assert 'id="alerte-2015"' in page and 'id="alerte-2013"' in page
    assert 'id="alerte-2014"' not in page
    assert "2015 : 1 réunion nationale, moins que les 3 prévues par le pacte." in page


def test_le_secretariat_enregistre_une_reunion(client, personas, paca):
    _connecter(client, personas, Role.SECRETARIAT)
    donnees = {"date": "2014-03-12", "niveau": "NATIONAL", "region": paca.pk, "institutions": "État\nUSH",
               "ordre_du_jour": "Bilan 2013", "compte_rendu": "", "decisions": "Relancer les préfets."}

    refus = client.post(reverse("suivi:reunion-creer"), donnees)
    assert refus.status_code == 200
    assert "Une réunion nationale n&#x27;a pas de région." in refus.content.decode()

    reponse = client.post(reverse("suivi:reunion-creer"), {**donnees, "region": ""})
    reunion = Reunion.objects.get()
    assert reponse.url == reverse("suivi:reunion", args=[reunion.pk])
    assert (reunion.niveau, reunion.decisions) == ("NATIONAL", "Relancer les préfets.")
    assert Evenement.objects.filter(action="reunion_creer").exists()


def test_un_membre_du_comite_lit_les_reunions_sans_pouvoir_en_creer(client, personas):
    _connecter(client, personas, Role.COMITE_SUIVI)
    assert client.get(reverse("suivi:reunion-creer")).status_code == 403
    assert "Enregistrer une réunion" not in client.get(reverse("suivi:comite")).content.decode()


def test_la_liste_des_reunions_a_un_nombre_de_requetes_constant(client, personas, django_assert_max_num_queries):
    ReunionFactory.create_batch(25, regionale=True)
    _connecter(client, personas, Role.COMITE_SUIVI)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("suivi:comite")).status_code == 200


# --- Blocking points -------------------------------------------------------------------------------------------------


def test_chaque_modification_d_un_point_de_blocage_est_historisee(personas, paca):
    secretariat = personas[Role.SECRETARIAT]
    point = services.point_de_blocage_enregistrer(
        acting_user=secretariat, region=paca, theme="FONCIER", titre="Terrains de l'État non cédés",
        description="Trois terrains identifiés, aucune cession.", statut="OUVERT")

    services.point_de_blocage_enregistrer(acting_user=secretariat, point=point, statut="LEVE",
                                          solution_proposee="Cession avec décote de 100 %.",
                                          commentaire="Arrêté de cession signé.")

    creation, levee = HistoriqueBlocage.objects.filter(point=point).order_by("horodatage", "pk")
    assert creation.commentaire == "Point de blocage enregistré." and creation.statut == "OUVERT"
    assert levee.changements == {"statut": ["Ouvert", "Levé"],
                                 "solution_proposee": ["", "Cession avec décote de 100 %."]}
    assert (levee.auteur, levee.commentaire, levee.statut) == (secretariat, "Arrêté de cession signé.", "LEVE")


def test_un_formulaire_deja_modifie_ne_fausse_pas_l_historique(client, personas, paca):
    """A ModelForm changes its instance while validating: the service reads the point again before comparing."""
    point = PointDeBlocageFactory(region=paca, statut="OUVERT")
    _connecter(client, personas, Role.SECRETARIAT)

    client.post(reverse("suivi:blocage-modifier", args=[point.pk]), {
        "region": paca.pk, "theme": "FONCIER", "titre": point.titre, "description": point.description,
        "solution_proposee": point.solution_proposee, "responsable": "Préfet de région", "statut": "EN_TRAITEMENT",
        "reunion": "", "commentaire": "Le préfet s'en saisit."})

    historique = HistoriqueBlocage.objects.get(point=point)
    assert historique.changements == {"statut": ["Ouvert", "En traitement"],
                                      "responsable": ["DHUP", "Préfet de région"]}
    page = client.get(reverse("suivi:blocage", args=[point.pk])).content.decode()
    assert "Le préfet s&#x27;en saisit." in page and "<del>Ouvert</del> → <ins>En traitement</ins>" in page


def test_un_referent_suit_les_points_de_sa_region_et_pas_des_autres(client, personas, paca):
    referent = _connecter(client, personas, Role.REFERENT_REGIONAL)
    sienne, autre = referent.region, paca
    point_autre = PointDeBlocageFactory(region=autre)

    assert client.get(reverse("suivi:blocage-modifier", args=[point_autre.pk])).status_code == 403
    assert "Mettre à jour le point" not in client.get(reverse("suivi:blocage", args=[point_autre.pk])).content.decode()
    donnees = {"theme": "URBANISME", "titre": "PLU bloquant", "description": "Le PLU gèle les zones AU.",
               "solution_proposee": "", "responsable": "", "statut": "OUVERT", "reunion": "", "commentaire": ""}
    refus = client.post(reverse("suivi:blocage-creer"), {**donnees, "region": autre.pk})
    assert refus.status_code == 200 and not PointDeBlocage.objects.filter(titre="PLU bloquant").exists()
    refus_national = client.post(reverse("suivi:blocage-creer"), {**donnees, "region": ""})
    assert refus_national.status_code == 200 and not PointDeBlocage.objects.filter(titre="PLU bloquant").exists()

    client.post(reverse("suivi:blocage-creer"), {**donnees, "region": sienne.pk})
    assert PointDeBlocage.objects.get(titre="PLU bloquant").region == sienne
    with pytest.raises(PermissionDenied):  # the service holds the scope too, whatever the caller
        services.point_de_blocage_enregistrer(acting_user=referent, point=point_autre, statut="LEVE")
    with pytest.raises(PermissionDenied):  # nor may a referent move another region's point into its own
        services.point_de_blocage_enregistrer(acting_user=referent, point=point_autre, region=sienne)


def test_la_liste_des_points_de_blocage_se_filtre(client, personas, paca, django_assert_max_num_queries):
    PointDeBlocageFactory(region=paca, theme="FONCIER", titre="Foncier cher à Marseille")
    PointDeBlocageFactory(region=paca, theme="FINANCEMENT", titre="Fonds propres insuffisants", statut="LEVE")
    PointDeBlocageFactory.create_batch(20, region=RegionFactory(), theme="URBANISME")
    _connecter(client, personas, Role.COMITE_SUIVI)

    with django_assert_max_num_queries(10):
        page = client.get(reverse("suivi:blocages"), {"region": "93", "theme": "FONCIER"}).content.decode()

    assert "Foncier cher à Marseille" in page and "Fonds propres insuffisants" not in page


# --- Good practices --------------------------------------------------------------------------------------------------


def test_la_bibliotheque_des_bonnes_pratiques_se_cherche(client, personas, paca, django_assert_max_num_queries):
    BonnePratiqueFactory(titre="Bail à construction sur foncier public", region=paca, theme="FONCIER")
    BonnePratiqueFactory(titre="Groupement de commandes", description="Achat groupé de travaux d'isolation.",
                         theme="FILIERE_BTP", region=None)
    BonnePratiqueFactory.create_batch(15, theme="URBANISME")
    _connecter(client, personas, Role.REFERENT_REGIONAL)

    with django_assert_max_num_queries(9):
        par_mot = client.get(reverse("suivi:bonnes-pratiques"), {"recherche": "isolation"}).content.decode()
    assert "Groupement de commandes" in par_mot and "Bail à construction" not in par_mot
    par_region = client.get(reverse("suivi:bonnes-pratiques"), {"region": "93"}).content.decode()
    assert "Bail à construction" in par_region and "Groupement de commandes" not in par_region
    nationales = client.get(reverse("suivi:bonnes-pratiques"), {"region": "national", "theme": "FILIERE_BTP"})
    assert "1 bonne pratique" in nationales.content.decode()


def test_le_secretariat_ajoute_une_bonne_pratique(client, personas):
    _connecter(client, personas, Role.SECRETARIAT)
    reponse = client.post(reverse("suivi:bonne-pratique-creer"), {
        "titre": "Conférence du foncier", "theme": "FONCIER", "region": "", "organisme": "",
        "description": "Une réunion trimestrielle."})
    assert reponse.status_code == 302
    assert "Conférence du foncier" in client.get(reponse.url).content.decode()


# --- Regional diagnostics --------------------------------------------------------------------------------------------


def test_un_referent_modifie_le_diagnostic_de_sa_region_seulement(personas, paca):
    referent = personas[Role.REFERENT_REGIONAL]

    diagnostic = services.diagnostic_enregistrer(acting_user=referent, region=referent.region, annee=2014,
                                                 disponibilite_fonciere="Peu de foncier de l'État mobilisable.")
    assert diagnostic.disponibilite_fonciere.startswith("Peu de foncier")
    with pytest.raises(PermissionDenied):
        services.diagnostic_enregistrer(acting_user=referent, region=paca, annee=2014, impact_sru="…")
    with pytest.raises(PermissionDenied):
        services.diagnostic_enregistrer(acting_user=personas[Role.COMITE_SUIVI], region=paca, annee=2014)
    services.diagnostic_enregistrer(acting_user=personas[Role.SECRETARIAT], region=paca, annee=2014, statut="PARTAGE")
    assert DiagnosticRegional.objects.count() == 2


def test_les_pages_de_diagnostic_appliquent_le_perimetre(client, personas, paca):
    referent = _connecter(client, personas, Role.REFERENT_REGIONAL)
    propre = reverse("suivi:diagnostic-modifier", args=[2014, referent.region.code])
    autre = reverse("suivi:diagnostic-modifier", args=[2014, paca.code])

    assert client.get(autre).status_code == 403
    assert client.post(autre, {"statut": "PARTAGE"}).status_code == 403
    assert "Rédiger le diagnostic" not in client.get(reverse("suivi:diagnostic", args=[2014, "93"])).content.decode()
    assert client.get(propre).status_code == 200
    reponse = client.post(propre, {"coherence_politiques": "PLH cohérents.", "disponibilite_fonciere": "",
                                   "montage_financier": "", "capacite_btp": "", "impact_sru": "",
                                   "besoins_typologie": "Plus de T2.", "statut": "BROUILLON"})
    assert reponse.status_code == 302
    assert DiagnosticRegional.objects.get(region=referent.region, annee=2014).besoins_typologie == "Plus de T2."
    assert not DiagnosticRegional.objects.filter(region=paca).exists()


def test_les_diagnostics_manquants_des_regions_prioritaires_sont_signales(client, personas, referentiels):
    DiagnosticFactory(region=Region.objects.get(code="11"), annee=2014, statut="PARTAGE")
    DiagnosticFactory(region=Region.objects.get(code="82"), annee=2014)
    _connecter(client, personas, Role.COMITE_SUIVI)

    page = client.get(reverse("suivi:diagnostics"), {"annee": 2014}).content.decode()
    tableau = page[page.index('id="diagnostics"'):page.index("</table>", page.index('id="diagnostics"'))]

    assert tableau.count("Manquant — requis") == 2  # PACA and Languedoc-Roussillon
    assert "Rhône-Alpes" in tableau  # a non-priority region that engaged its own is listed too
    assert "Bretagne" not in tableau
    assert "Modifier" not in tableau and "Rédiger" not in tableau  # read-only for the committee's members


# --- Annual report pages ---------------------------------------------------------------------------------------------


def test_le_secretariat_demande_le_rapport_et_le_worker_le_recoit(client, personas,
                                                                  django_capture_on_commit_callbacks):
    _connecter(client, personas, Role.SECRETARIAT)
    assert "Produire le rapport" in client.get(reverse("suivi:rapports")).content.decode()

    with django_capture_on_commit_callbacks(execute=False) as rappels:
        reponse = client.post(reverse("suivi:rapport-produire"), {"annee": "2014"})

    assert len(rappels) == 1
    travail = Travail.objects.get(nature="rapport_annuel")
    assert reponse.url == reverse("suivi:rapport", args=[travail.parametres["rapport_id"]])
    page = client.get(reponse.url).content.decode()
    assert 'http-equiv="refresh"' in page and "Production en cours" in page


def test_le_comite_telecharge_un_rapport_sans_pouvoir_en_produire(client, personas):
    rapport = rapport_termine()
    _connecter(client, personas, Role.COMITE_SUIVI)

    assert "Produire le rapport" not in client.get(reverse("suivi:rapports")).content.decode()
    assert client.post(reverse("suivi:rapport-produire"), {"annee": "2014"}).status_code == 403
    pdf = client.get(reverse("suivi:rapport-pdf", args=[rapport.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert 'filename="rapport-annuel-2014-comite-de-suivi.pdf"' in pdf["Content-Disposition"]
    assert pdf.content.startswith(b"%PDF")


# --- Demo data -------------------------------------------------------------------------------------------------------


def test_le_jeu_de_demonstration_du_comite_respecte_le_pacte_et_se_rejoue(referentiels):
    from suivi.demo_comite import generer
    from suivi.selectors_comite import reunions_par_annee

    premier = generer()
    assert generer() == "Comité de suivi : jeu de démonstration déjà présent."

    assert premier.startswith("Comité de suivi : 14 réunions")
    assert all(not ligne["alerte"] for ligne in reunions_par_annee())  # at least three national meetings a year
    assert set(DiagnosticRegional.objects.filter(annee=2014).values_list("region_id", flat=True)) == {
        "11", "93", "91"}
    assert HistoriqueBlocage.objects.count() == 12  # each point: recorded, then its outcome
    assert Engagement.objects.get(code="E18").statut == "REALISE"
