"""The mutualisation pages: access by role, scope, query counts, filters, exports, runs, barème, imports."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from mutualisation import selectors
from mutualisation.enums import StatutCalcul, StatutImport
from mutualisation.models import Ajustement, Bareme, Calcul, Campagne, ImportFichier
from mutualisation.services.campagne import calcul_executer, calcul_lancer
from pacte.enums import Famille, Role
from pacte.models import Evenement, Travail
from tests.factories import (
    BaremeFactory,
    BaseAnnuelleFactory,
    CalculFactory,
    CampagneFactory,
    ImportFichierFactory,
    OrganismeFactory,
    PretFactory,
    RegionFactory,
    RestructurationFactory,
)

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
EN_TETE_CSV = (
    "siren;raison_sociale;exonere;aide_production;aide_rehabilitation;aide_restructuration;ajustements;aide_totale;"
    "part_cotisation_cglls;part_loyers;part_patrimoine;contribution;solde;sens"
)
LECTEURS = {Role.EQUIPE_USH, Role.COMMISSION, Role.COMITE_SUIVI, Role.SECRETARIAT, Role.REFERENT_REGIONAL,
            Role.ADMINISTRATEUR}


def calculer(annee: int = 2013) -> Calcul:
    return calcul_executer(calcul_lancer(acting_user=None, annee=annee, sur_le_worker=False).pk)


def construire_campagne(personas) -> dict:
    """The organism persona's OPH, an ESH with a formula for a name, an exempt COOP, a SEM; one finished run."""
    BaremeFactory()
    oph = personas[Role.ORGANISME].organisme
    esh = OrganismeFactory(famille=Famille.ESH, raison_sociale='=HYPERLINK("http://exemple.test","clic")',
                           region=RegionFactory(code="93", nom="Provence-Alpes-Côte d'Azur"))
    coop = OrganismeFactory(famille=Famille.COOP, raison_sociale="Coop Hlm du Nord")
    sem = OrganismeFactory(non_hlm=True, raison_sociale="SEM de la Côte")
    BaseAnnuelleFactory(organisme=oph)
    BaseAnnuelleFactory(organisme=esh, loyers=Decimal("3000000.00"), logements=3000,
                        cotisation_cglls=Decimal("30000.00"))
    BaseAnnuelleFactory(organisme=coop, exoneree=True)
    BaseAnnuelleFactory(organisme=sem)
    PretFactory(organisme=oph, numero_pret="P-PLUS", numero_operation="OP1", produit="PLUS", nb_logements=20)
    PretFactory(organisme=oph, numero_pret="P-FONC", numero_operation="OP1", produit="PLUS_FONCIER", nb_logements=20)
    PretFactory(organisme=oph, numero_pret="P-PLAI", numero_operation="OP1", produit="PLAI", nb_logements=5)
    PretFactory(organisme=oph, numero_pret="P-ECO", produit="ECO_PRET", nb_logements=0, zone="",
                montant=Decimal("1234567.89"))
    PretFactory(organisme=oph, numero_pret="P-2012", produit="PLUS", date_signature=date(2012, 12, 31))
    PretFactory(organisme=coop, numero_pret="P-COOP", produit="PLAI", nb_logements=4, zone="2")
    PretFactory(organisme=sem, numero_pret="P-SEM", produit="PLUS", nb_logements=30)
    RestructurationFactory(organisme=esh, reference="R1", nb_logements=12)
    calcul = calculer()
    assert calcul.statut == StatutCalcul.TERMINE, calcul.message
    return {"oph": oph, "esh": esh, "coop": coop, "sem": sem, "calcul": calcul}


@pytest.fixture
def campagne(personas):
    return construire_campagne(personas)


def _statut(client, utilisateur, url) -> int:
    client.force_login(utilisateur)
    return client.get(url).status_code


# --- Access -------------------------------------------------------------------------------------------------------

PAGES = {
    "mutualisation:index": (set(Role), {}),
    "mutualisation:campagne": (LECTEURS, {"annee": 2013}),
    "mutualisation:resultats": (LECTEURS, {"annee": 2013}),
    "mutualisation:export-csv": (LECTEURS, {"annee": 2013}),
    "mutualisation:export-xlsx": (LECTEURS, {"annee": 2013}),
    "mutualisation:bareme": ({Role.EQUIPE_USH, Role.COMMISSION, Role.ADMINISTRATEUR}, {"annee": 2013}),
    "mutualisation:calculer": ({Role.EQUIPE_USH, Role.COMMISSION, Role.ADMINISTRATEUR}, {"annee": 2013}),
    "mutualisation:ajustement": ({Role.COMMISSION, Role.ADMINISTRATEUR}, {"annee": 2013}),
    "mutualisation:imports": ({Role.EQUIPE_USH, Role.ADMINISTRATEUR}, {}),
}


@pytest.mark.parametrize("nom", PAGES)
def test_acces_par_role(client, personas, campagne, nom):
    autorises, parametres = PAGES[nom]
    url = reverse(nom, kwargs=parametres)
    obtenus = {role: _statut(client, utilisateur, url) for role, utilisateur in personas.items()}
    assert obtenus == {role: 200 if role in autorises else 403 for role in personas}


def test_acces_par_role_aux_pages_d_un_objet(client, personas, campagne):
    equipe = {Role.EQUIPE_USH, Role.ADMINISTRATEUR}
    importe = ImportFichierFactory()
    pages = {
        reverse("mutualisation:calcul-etat", kwargs={"pk": campagne["calcul"].pk}): LECTEURS,
        reverse("mutualisation:import", kwargs={"pk": importe.pk}): equipe,
        reverse("mutualisation:import-etat", kwargs={"pk": importe.pk}): equipe,
        # an organism's notice: the national readers, and organism users (scope narrowed by the selectors)
        reverse("mutualisation:organisme", kwargs={"annee": 2013, "siren": campagne["oph"].siren}):
            LECTEURS | {Role.ORGANISME},
    }
    for url, autorises in pages.items():
        obtenus = {role: _statut(client, utilisateur, url) for role, utilisateur in personas.items()}
        assert obtenus == {role: 200 if role in autorises else 403 for role in personas}, url


def test_anonyme_renvoye_vers_la_connexion(client, campagne):
    reponse = client.get(reverse("mutualisation:campagne", kwargs={"annee": 2013}))
    assert reponse.status_code == 302 and reverse("connexion") in reponse["Location"]


def test_annee_hors_du_pacte_introuvable(client, personas):
    client.force_login(personas[Role.COMMISSION])
    assert client.get(reverse("mutualisation:campagne", kwargs={"annee": 2016})).status_code == 404
    assert client.get(reverse("mutualisation:resultats", kwargs={"annee": 2012})).status_code == 404


# --- The campaigns and one campaign ------------------------------------------------------------------------------


def test_index_totaux_du_dernier_calcul_et_graphique(client, personas, campagne, django_assert_max_num_queries):
    client.force_login(personas[Role.COMITE_SUIVI])
    with django_assert_max_num_queries(12):
        contenu = client.get(reverse("mutualisation:index")).content.decode()
    synthese = campagne["calcul"].totaux
    assert "Campagne 2013" in contenu and "Campagne 2015" in contenu
    assert f"3{NBSP}300{NBSP}€" in contenu  # barème 2013, zone 1
    assert "graphique-barres" in contenu and "Réhabilitation" in contenu
    assert f"{synthese['nb_organismes']}" in contenu and "Appels de fonds" in contenu


def test_index_d_un_organisme_lien_vers_son_avis_sans_chiffres_nationaux(client, personas, campagne):
    organisme = personas[Role.ORGANISME].organisme
    client.force_login(personas[Role.ORGANISME])
    contenu = client.get(reverse("mutualisation:index")).content.decode()
    assert reverse("mutualisation:organisme", kwargs={"annee": 2013, "siren": organisme.siren}) in contenu
    assert "Appels de fonds" not in contenu and "graphique-barres" not in contenu


def test_page_campagne_bareme_historique_totaux_et_invariants(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    contenu = client.get(reverse("mutualisation:campagne", kwargs={"annee": 2013})).content.decode()
    calcul = campagne["calcul"]
    assert "Calculée" in contenu
    assert calcul.empreinte_entrees[:12] in contenu
    assert contenu.count("controle-ok\">OK") == 6 and "KO</span>" not in contenu
    assert "Σ contributions = T" in contenu and "Σ soldes = − frais de gestion" in contenu
    assert reverse("mutualisation:bareme", kwargs={"annee": 2013}) in contenu
    assert 'name="motif"' in contenu  # the commission may adjust


def test_page_campagne_sans_formulaires_pour_la_lecture_seule(client, personas, campagne):
    client.force_login(personas[Role.COMITE_SUIVI])
    contenu = client.get(reverse("mutualisation:campagne", kwargs={"annee": 2013})).content.decode()
    assert 'name="motif"' not in contenu
    assert reverse("mutualisation:calculer", kwargs={"annee": 2013}) not in contenu
    assert reverse("mutualisation:bareme", kwargs={"annee": 2013}) not in contenu


def test_page_campagne_sans_calcul_ni_bareme(client, personas):
    BaremeFactory()
    client.force_login(personas[Role.EQUIPE_USH])
    contenu = client.get(reverse("mutualisation:campagne", kwargs={"annee": 2014})).content.decode()
    assert "pas encore établi" in contenu and "copié de celui de 2013" in contenu
    assert "Aucun calcul terminé pour 2014" in contenu


def test_lancer_un_calcul_puis_suivre_son_etat_en_json(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    reponse = client.post(reverse("mutualisation:calculer", kwargs={"annee": 2013}))
    assert reponse.status_code == 302 and reponse["Location"].endswith("/mutualisation/2013/#calculs")
    calcul = Calcul.objects.latest("pk")
    assert calcul.statut == StatutCalcul.EN_ATTENTE and calcul.lance_par == personas[Role.COMMISSION]
    url_etat = reverse("mutualisation:calcul-etat", kwargs={"pk": calcul.pk})
    page = client.get(reverse("mutualisation:campagne", kwargs={"annee": 2013})).content.decode()
    assert f'data-etat-url="{url_etat}"' in page and "<progress" in page and "avancement.js" in page
    assert client.get(url_etat).json() == {
        "id": calcul.pk, "statut": "en_attente", "statut_libelle": "En attente", "avancement": 0, "message": "",
        "termine": False,
    }
    calcul_executer(calcul.pk)
    etat = client.get(url_etat).json()
    assert (etat["statut"], etat["avancement"], etat["termine"]) == ("termine", 100, True)


def test_un_seul_calcul_en_cours_message_d_erreur(client, personas, campagne):
    client.force_login(personas[Role.EQUIPE_USH])
    client.post(reverse("mutualisation:calculer", kwargs={"annee": 2013}))
    reponse = client.post(reverse("mutualisation:calculer", kwargs={"annee": 2013}), follow=True)
    assert "est déjà en cours" in reponse.content.decode()
    assert Calcul.objects.filter(statut=StatutCalcul.EN_ATTENTE).count() == 1


def test_lancer_un_calcul_refuse_quand_l_annee_est_validee(client, personas, campagne):
    Campagne.objects.filter(annee=2013).update(statut="validee")
    client.force_login(personas[Role.COMMISSION])
    reponse = client.post(reverse("mutualisation:calculer", kwargs={"annee": 2013}), follow=True)
    assert "figés" in reponse.content.decode()
    assert not Calcul.objects.filter(statut=StatutCalcul.EN_ATTENTE).exists()


# --- Barème and adjustments ----------------------------------------------------------------------------------------


def _bareme_saisi(**changements) -> dict:
    saisie = {
        "montant_zone_1": "3 300,00", "montant_zone_2_3": "1300", "taux_rehabilitation": "5",
        "montant_restructuration": "600", "plafond_restructuration": "5000", "poids_cotisation_cglls": "25",
        "poids_loyers": "50", "poids_patrimoine": "25", "frais_gestion": "0", "taux_aide_exoneres": "100",
    }
    return {**saisie, **changements}


def test_bareme_modifie_en_pourcentages_et_audite(client, personas):
    BaremeFactory()
    client.force_login(personas[Role.COMMISSION])
    url = reverse("mutualisation:bareme", kwargs={"annee": 2013})
    assert 'value="25,00"' in client.get(url).content.decode()  # weights shown as percentages
    saisie = _bareme_saisi(poids_loyers="40", poids_patrimoine="35", frais_gestion="1 500,50")
    reponse = client.post(url, saisie)
    assert reponse.status_code == 302, reponse.content.decode()
    bareme = Bareme.objects.get(annee=2013)
    assert (bareme.poids_loyers, bareme.poids_patrimoine) == (Decimal("0.4000"), Decimal("0.3500"))
    assert bareme.frais_gestion == Decimal("1500.50") and bareme.montant_zone_1 == Decimal("3300.00")
    evenement = Evenement.objects.get(action="bareme_modifier")
    assert set(evenement.details["apres"]) == {"poids_loyers", "poids_patrimoine", "frais_gestion"}


def test_bareme_poids_qui_ne_font_pas_100_refuses(client, personas):
    BaremeFactory()
    client.force_login(personas[Role.EQUIPE_USH])
    reponse = client.post(reverse("mutualisation:bareme", kwargs={"annee": 2013}), _bareme_saisi(poids_loyers="60"))
    assert reponse.status_code == 200 and "Enregistrement refusé" in reponse.content.decode()
    assert Bareme.objects.get(annee=2013).poids_loyers == Decimal("0.5000")


def test_bareme_refuse_quand_l_annee_est_validee(client, personas):
    BaremeFactory()
    CampagneFactory(validee=True)
    client.force_login(personas[Role.COMMISSION])
    url = reverse("mutualisation:bareme", kwargs={"annee": 2013})
    assert 'name="poids_loyers"' not in client.get(url).content.decode()
    reponse = client.post(url, _bareme_saisi(frais_gestion="1000"))
    assert reponse.status_code == 200 and "sont figés" in reponse.content.decode()
    assert Bareme.objects.get(annee=2013).frais_gestion == 0
    page = client.get(reverse("mutualisation:campagne", kwargs={"annee": 2013})).content.decode()
    assert url not in page


def test_ajustement_exige_un_motif(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    url = reverse("mutualisation:ajustement", kwargs={"annee": 2013})
    siren = campagne["esh"].siren
    reponse = client.post(url, {"siren": siren, "montant": "-1 000,50", "motif": "   "})
    assert reponse.status_code == 200 and "exige un motif" in reponse.content.decode()
    assert not Ajustement.objects.exists()
    reponse = client.post(url, {"siren": siren, "montant": "-1 000,50", "motif": "Fusion en cours d'année"})
    assert reponse.status_code == 302
    ajustement = Ajustement.objects.get()
    assert (ajustement.montant, ajustement.auteur) == (Decimal("-1000.50"), personas[Role.COMMISSION])
    page = client.get(reverse("mutualisation:campagne", kwargs={"annee": 2013})).content.decode()
    assert "Fusion en cours d&#x27;année" in page


def test_ajustement_siren_invalide(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    reponse = client.post(reverse("mutualisation:ajustement", kwargs={"annee": 2013}),
                          {"siren": "123456789", "montant": "10", "motif": "Essai"})
    assert "n&#x27;est pas un SIREN valide" in reponse.content.decode()


# --- Results ---------------------------------------------------------------------------------------------------------


def _organismes_concernes(nombre: int) -> None:
    for organisme in OrganismeFactory.create_batch(nombre):
        BaseAnnuelleFactory(organisme=organisme)
        PretFactory(organisme=organisme)


def test_resultats_nombre_de_requetes_constant(client, personas, django_assert_max_num_queries):
    BaremeFactory()
    client.force_login(personas[Role.COMITE_SUIVI])
    url = reverse("mutualisation:resultats", kwargs={"annee": 2013})
    _organismes_concernes(5)
    calculer()
    with django_assert_max_num_queries(10) as petites:
        client.get(url)
    _organismes_concernes(40)
    calculer()
    with django_assert_max_num_queries(10) as grandes:
        contenu = client.get(url).content.decode()
    assert len(grandes.captured_queries) == len(petites.captured_queries)
    assert "45 organismes" in contenu


def test_resultats_rendus_une_fois_par_calcul_puis_lus_du_cache(client, personas, campagne):
    """The table comes from the cache until the next run; the shell (the reader's name) is each reader's own."""
    url = reverse("mutualisation:resultats", kwargs={"annee": 2013})
    client.force_login(personas[Role.COMITE_SUIVI])
    client.get(url)
    client.force_login(personas[Role.COMMISSION])
    with CaptureQueriesContext(connection) as requetes:
        contenu = client.get(url).content.decode()
    assert not [q for q in requetes.captured_queries if "mutualisation_resultatorganisme" in q["sql"]]
    assert f"Calcul n° {campagne['calcul'].pk} " in contenu and "3 organismes" in contenu
    assert personas[Role.COMMISSION].username in contenu
    assert personas[Role.COMITE_SUIVI].username not in contenu
    nouvel_organisme = OrganismeFactory()
    BaseAnnuelleFactory(organisme=nouvel_organisme)
    PretFactory(organisme=nouvel_organisme)
    nouveau = calculer()
    contenu = client.get(url).content.decode()
    assert f"Calcul n° {nouveau.pk} " in contenu and "4 organismes" in contenu


def test_resultats_filtres_region_famille_sens_recherche(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    url = reverse("mutualisation:resultats", kwargs={"annee": 2013})
    oph, esh, coop = campagne["oph"], campagne["esh"], campagne["coop"]

    def sirens(**filtres):
        contenu = client.get(url, filtres).content.decode()
        return {o.siren for o in (oph, esh, coop) if f">{o.siren}</a>" in contenu}

    assert sirens() == {oph.siren, esh.siren, coop.siren}
    assert campagne["sem"].siren not in client.get(url).content.decode()  # not concerned: no line
    assert sirens(region="93") == {esh.siren}
    assert sirens(famille="COOP") == {coop.siren}
    assert sirens(sens="versement") == {coop.siren, oph.siren}
    assert sirens(sens="appel_de_fonds") == {esh.siren}
    assert sirens(recherche="coop hlm") == {coop.siren}
    assert sirens(recherche=oph.siren[:8]) == {oph.siren}


def test_resultats_tri_par_colonne(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    url = reverse("mutualisation:resultats", kwargs={"annee": 2013})
    par_solde = list(campagne["calcul"].resultats.order_by("solde").values_list("organisme_id", flat=True))

    def ordre(tri):
        contenu = client.get(url, {"tri": tri}).content.decode()
        return sorted(par_solde, key=lambda siren: contenu.index(f">{siren}</a>")), contenu

    croissant, contenu = ordre("solde")
    assert croissant == par_solde
    assert 'aria-sort="ascending"' in contenu and "tri=-solde" in contenu
    assert ordre("-solde")[0] == par_solde[::-1]


def test_resultats_sans_calcul(client, personas):
    client.force_login(personas[Role.COMMISSION])
    contenu = client.get(reverse("mutualisation:resultats", kwargs={"annee": 2014})).content.decode()
    assert "Aucun calcul terminé pour 2014" in contenu


JSON_DU_CALCUL = ("bareme", "totaux", "hors_champ", "durees")


def test_resultats_en_cache_quatre_requetes_sans_la_ligne_du_calcul(client, personas, campagne,
                                                                   django_assert_num_queries):
    """A cache hit costs the floor of a signed-in page (session, user, the permission query: permissions are read
    at every request) plus the run's id and date: not the run's row with its JSON, not its results."""
    url = reverse("mutualisation:resultats", kwargs={"annee": 2013})
    client.force_login(personas[Role.COMITE_SUIVI])
    client.get(url)
    with django_assert_num_queries(4) as requetes:
        contenu = client.get(url).content.decode()
    sql = [q["sql"] for q in requetes.captured_queries]
    assert sum("auth_permission" in requete for requete in sql) == 1
    (lecture_du_calcul,) = [requete for requete in sql if "mutualisation_calcul" in requete]
    assert not [champ for champ in JSON_DU_CALCUL if f'"{champ}"' in lecture_du_calcul]
    assert f"Calcul n° {campagne['calcul'].pk} " in contenu and "3 organismes" in contenu
    assert contenu.count('aria-label="vous êtes ici :"') == 1 and ">Résultats</a>" in contenu


def test_resultats_en_cache_refuses_des_que_le_role_est_retire(client, personas, campagne):
    url = reverse("mutualisation:resultats", kwargs={"annee": 2013})
    membre = personas[Role.COMITE_SUIVI]
    client.force_login(membre)
    assert client.get(url).status_code == 200
    membre.groups.clear()
    assert client.get(url).status_code == 403


def test_resultats_relus_quand_la_ligne_du_calcul_change(client, personas, campagne):
    url = reverse("mutualisation:resultats", kwargs={"annee": 2013})
    client.force_login(personas[Role.COMMISSION])
    client.get(url)
    campagne["calcul"].save()  # any change to the run's row (its updated_at) is a new cache key
    with CaptureQueriesContext(connection) as requetes:
        client.get(url)
    assert [q for q in requetes.captured_queries if "mutualisation_resultatorganisme" in q["sql"]]


def test_version_du_dernier_calcul_est_celle_du_dernier_calcul(campagne):
    officiel = campagne["calcul"]
    CalculFactory(campagne=officiel.campagne, simulation=True)
    CalculFactory(campagne=officiel.campagne, en_cours=True)
    version = selectors.version_du_dernier_calcul(2013)
    assert version == selectors.VersionCalcul(officiel.pk, Calcul.objects.get(pk=officiel.pk).updated_at)
    assert selectors.calcul_de_la_version(version) == selectors.dernier_calcul(2013) == officiel
    plus_recent = CalculFactory(campagne=officiel.campagne)
    assert selectors.version_du_dernier_calcul(2013).pk == plus_recent.pk == selectors.dernier_calcul(2013).pk
    assert selectors.version_du_dernier_calcul(2014) is None and selectors.calcul_de_la_version(None) is None


# --- Exports ---------------------------------------------------------------------------------------------------------


def test_export_csv_en_tete_de_formats_md_et_lignes(client, personas, campagne):
    client.force_login(personas[Role.COMITE_SUIVI])
    reponse = client.get(reverse("mutualisation:export-csv", kwargs={"annee": 2013}))
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"].startswith('attachment; filename="mutualisation-2013-')
    texte = reponse.content.decode("utf-8")
    assert texte.splitlines()[0] == EN_TETE_CSV
    lignes = list(csv.DictReader(io.StringIO(texte), delimiter=";"))
    assert [ligne["siren"] for ligne in lignes] == sorted(campagne[c].siren for c in ("oph", "esh", "coop"))
    coop = next(ligne for ligne in lignes if ligne["siren"] == campagne["coop"].siren)
    assert coop["exonere"] == "oui" and coop["contribution"] == "0.00" and coop["sens"] == "versement"
    assert sum(Decimal(ligne["solde"]) for ligne in lignes) == Decimal("0.00")


def test_export_xlsx_montants_numeriques_format_euros_et_formules_neutralisees(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    reponse = client.get(reverse("mutualisation:export-xlsx", kwargs={"annee": 2013}))
    assert reponse["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert reponse["Content-Disposition"].endswith('.xlsx"')
    feuille = load_workbook(io.BytesIO(reponse.content)).active
    lignes = {ligne[0].value: ligne for ligne in feuille.iter_rows(min_row=2)}
    esh = lignes[campagne["esh"].siren]
    assert esh[1].value == "'" + campagne["esh"].raison_sociale  # =HYPERLINK(...) neutralised
    aide = esh[7]  # aide_totale
    assert isinstance(aide.value, int | float) and "€" in aide.number_format
    assert Decimal(str(aide.value)) == Decimal("7200.00")  # 12 dwellings × 600 €


def test_export_sans_calcul_introuvable(client, personas):
    client.force_login(personas[Role.COMMISSION])
    assert client.get(reverse("mutualisation:export-csv", kwargs={"annee": 2014})).status_code == 404


# --- An organism's notice ------------------------------------------------------------------------------------------


def test_avis_explication_ligne_a_ligne(client, personas, campagne):
    oph = campagne["oph"]
    client.force_login(personas[Role.COMMISSION])
    contenu = client.get(reverse("mutualisation:organisme", kwargs={"annee": 2013, "siren": oph.siren})).content
    contenu = contenu.decode()
    # OP1: PLUS 20 + PLUS foncier 20 (the same dwellings) + PLAI 5 → 25 dwellings × 3 300 €
    assert "P-PLUS" in contenu and "P-FONC" in contenu and "P-PLAI" in contenu
    assert '<td class="montant">25</td>' in contenu and f"82{NBSP}500,00{NBSP}€" in contenu
    # rehabilitation: 5 % × 1 234 567,89 € = 61 728,39 € (half-up)
    assert f"5{NBSP}% × 1{NBSP}234{NBSP}567,89{NBSP}€ = 61{NBSP}728,39{NBSP}€" in contenu
    # the 2012 loan is out of scope, with its reason
    assert "P-2012" in contenu and "signé ou déclaré une autre année" in contenu
    assert f"Loyers (50{NBSP}%)" in contenu and "Aide par composante" in contenu


def test_avis_exonere_taux_applique(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    url = reverse("mutualisation:organisme", kwargs={"annee": 2013, "siren": campagne["coop"].siren})
    contenu = client.get(url).content.decode()
    assert "Organisme exonéré de contribution" in contenu and f"100{NBSP}%" in contenu


def test_avis_restructuration(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    url = reverse("mutualisation:organisme", kwargs={"annee": 2013, "siren": campagne["esh"].siren})
    contenu = client.get(url).content.decode()
    assert f"12 logements × 600,00{NBSP}€ = 7{NBSP}200,00{NBSP}€" in contenu


def test_avis_organisme_non_concerne_avec_son_motif(client, personas, campagne):
    client.force_login(personas[Role.COMMISSION])
    url = reverse("mutualisation:organisme", kwargs={"annee": 2013, "siren": campagne["sem"].siren})
    contenu = client.get(url).content.decode()
    assert "Organisme non concerné en 2013" in contenu and "hors famille Hlm" in contenu


def test_un_organisme_ne_voit_que_son_avis(client, personas, campagne):
    client.force_login(personas[Role.ORGANISME])
    propre = reverse("mutualisation:organisme", kwargs={"annee": 2013, "siren": campagne["oph"].siren})
    contenu = client.get(propre).content.decode()
    assert "P-PLUS" in contenu and "Aide par composante" in contenu
    for autre in ("esh", "coop", "sem"):
        url = reverse("mutualisation:organisme", kwargs={"annee": 2013, "siren": campagne[autre].siren})
        assert client.get(url).status_code == 404, autre


def test_avis_d_un_role_sans_acces_aux_resultats(client, personas, campagne):
    client.force_login(personas[Role.COMITE_ORIENTATION])
    url = reverse("mutualisation:organisme", kwargs={"annee": 2013, "siren": campagne["esh"].siren})
    reponse = client.get(url)
    assert reponse.status_code == 403 and "Aide par composante" not in reponse.content.decode()


# --- Imports ---------------------------------------------------------------------------------------------------------


def _deposer(client, contenu: bytes, nom="organismes.csv", type_fichier="organismes"):
    fichier = io.BytesIO(contenu)
    fichier.name = nom
    return client.post(reverse("mutualisation:imports"),
                       {"action": "analyser", "type_fichier": type_fichier, "fichier": fichier})


def test_import_apercu_puis_confirmation(client, personas):
    client.force_login(personas[Role.EQUIPE_USH])
    RegionFactory()
    siren = OrganismeFactory.build().siren
    contenu = (f"siren;raison_sociale;famille;code_region;metropole;commentaire\n"
               f"{siren};Habitat du Val;OPH;11;oui;à ignorer\n").encode()
    apercu = _deposer(client, contenu)
    texte = apercu.content.decode()
    assert apercu.status_code == 200 and "Habitat du Val" in texte and "Confirmer l'import" in texte
    assert "commentaire" in texte  # ignored column listed
    assert not ImportFichier.objects.exists()  # nothing written before confirmation
    jeton = apercu.context["confirmation"].initial["jeton"]
    reponse = client.post(reverse("mutualisation:imports"), {"action": "confirmer", "jeton": jeton})
    import_fichier = ImportFichier.objects.get()
    assert reponse["Location"] == reverse("mutualisation:import", kwargs={"pk": import_fichier.pk})
    assert import_fichier.statut == StatutImport.IMPORTE and import_fichier.cree_par == personas[Role.EQUIPE_USH]
    liste = client.get(reverse("mutualisation:imports")).content.decode()
    assert "organismes.csv" in liste and import_fichier.empreinte[:12] in liste
    rejoue = client.post(reverse("mutualisation:imports"), {"action": "confirmer", "jeton": jeton}, follow=True)
    assert "a expiré ou a déjà été confirmé" in rejoue.content.decode()


def test_import_apercu_erreurs_ligne_colonne_valeur_raison(client, personas):
    client.force_login(personas[Role.EQUIPE_USH])
    RegionFactory()
    contenu = b"siren;raison_sociale;famille;code_region;metropole\n123456789;Mauvais;OPH;11;oui\n"
    texte = _deposer(client, contenu).content.decode()
    assert "Fichier refusé" in texte and "Confirmer" not in texte
    assert '<td class="montant">2</td><td>siren</td><td><code>123456789</code></td>' in texte
    assert not ImportFichier.objects.exists()


def test_import_fichier_d_un_autre_format_refuse_par_le_formulaire(client, personas):
    client.force_login(personas[Role.EQUIPE_USH])
    reponse = _deposer(client, b"x", nom="organismes.pdf")
    assert "Format non reconnu" in reponse.content.decode()


def test_import_detail_rapport_d_erreurs(client, personas):
    client.force_login(personas[Role.EQUIPE_USH])
    refuse = ImportFichierFactory(statut=StatutImport.REFUSE, message="Fichier refusé : 1 erreur(s).",
                                  erreurs=[{"ligne": 7, "colonne": "zone", "valeur": "4", "motif": "zone inconnue"}])
    contenu = client.get(reverse("mutualisation:import", kwargs={"pk": refuse.pk})).content.decode()
    assert '<td class="montant">7</td><td>zone</td><td><code>4</code></td><td>zone inconnue</td>' in contenu
    assert "Fichier refusé : 1 erreur(s)." in contenu


def test_import_sur_le_worker_barre_d_avancement(client, personas):
    client.force_login(personas[Role.EQUIPE_USH])
    travail = Travail.objects.create(nature="import_fichier", statut="EN_COURS", avancement=25, total=100,
                                     message="Vérification des lignes")
    en_cours = ImportFichierFactory(statut=StatutImport.EN_COURS, travail=travail)
    url_etat = reverse("mutualisation:import-etat", kwargs={"pk": en_cours.pk})
    page = client.get(reverse("mutualisation:import", kwargs={"pk": en_cours.pk})).content.decode()
    assert f'data-etat-url="{url_etat}"' in page and "<progress" in page
    etat = client.get(url_etat).json()
    assert (etat["avancement"], etat["message"], etat["termine"]) == (25, "Vérification des lignes", False)


def test_liste_des_imports_nombre_de_requetes_constant(client, personas, django_assert_max_num_queries):
    client.force_login(personas[Role.EQUIPE_USH])
    ImportFichierFactory.create_batch(3, cree_par=personas[Role.EQUIPE_USH])
    with django_assert_max_num_queries(8) as peu:
        client.get(reverse("mutualisation:imports"))
    ImportFichierFactory.create_batch(15, cree_par=personas[Role.EQUIPE_USH])
    with django_assert_max_num_queries(8) as beaucoup:
        client.get(reverse("mutualisation:imports"))
    assert len(beaucoup.captured_queries) == len(peu.captured_queries)


def test_colonnes_triables_des_resultats_et_de_la_simulation():
    """One header builder for both tables: a click sorts ascending, then descending; in the simulation, a first click
    on an amount (a gap) sorts it from the largest."""
    from mutualisation.views import COLONNES_RESULTATS, colonnes_triables
    from mutualisation.views_simulation import COLONNES

    def suivants(colonnes):
        return {c["cle"]: (c["aria_sort"], c["tri_suivant"]) for c in colonnes}

    resultats = suivants(colonnes_triables("-solde"))
    assert resultats["solde"] == ("descending", "solde") and resultats["siren"] == ("", "siren")
    assert suivants(colonnes_triables(""))["siren"] == ("ascending", "-siren")
    assert [c["cle"] for c in colonnes_triables("")] == [cle for cle, _, _ in COLONNES_RESULTATS]
    simulation = suivants(colonnes_triables("delta_aide", COLONNES, montants_decroissants=True))
    assert simulation["delta_aide"] == ("ascending", "-delta_aide")
    assert simulation["delta_solde"] == ("", "-delta_solde") and simulation["raison_sociale"] == ("", "raison_sociale")
    assert suivants(colonnes_triables("", COLONNES))["delta_solde"] == ("", "delta_solde")
