"""What-if simulation (docs/simulation.md): a barème variant computed as a simulation run on the year's data,
compared with the reference run; never validated, never touching the reference run nor the campaign."""

import csv
import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from mutualisation import simulation
from mutualisation.enums import StatutCalcul, StatutCampagne
from mutualisation.models import (
    ApprobationCalcul,
    Bareme,
    BaremeVariante,
    BaseAnnuelle,
    Calcul,
    Campagne,
    Pret,
    ResultatOrganisme,
)
from mutualisation.referentiels import baremes_charger
from mutualisation.services.campagne import ErreurCampagne, calcul_executer, calcul_lancer
from mutualisation.services.cycle import calcul_approuver
from mutualisation.services.simulation import simulation_lancer, variante_creer
from pacte.enums import Role
from tests.factories import OrganismeFactory, RegionFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

CHAMPS = ("aide_production", "aide_rehabilitation", "aide_restructuration", "ajustements", "aide_totale",
          "contribution", "solde", "exonere")


def _membre(nom: str, role=Role.COMMISSION):
    return UtilisateurFactory(username=nom, email=f"{nom}@commission.test", role=role)


@pytest.fixture
def membres(personas):
    return {"lanceur": _membre("lanceur"), "a": _membre("membre-a"), "b": _membre("membre-b")}


@pytest.fixture
def annee_2013(membres):
    """Four organisms in two regions, one exempt (plan de rétablissement), 2013 computed (exempt at 100 %)."""
    baremes_charger()
    nord, sud = RegionFactory(code="32", nom="Hauts-de-France"), RegionFactory(code="93", nom="Provence")
    organismes = {
        "exonere": OrganismeFactory(region=nord), "nord": OrganismeFactory(region=nord),
        "sud": OrganismeFactory(region=sud), "sud2": OrganismeFactory(region=sud),
    }
    for i, (cle, organisme) in enumerate(organismes.items()):
        BaseAnnuelle.objects.create(
            organisme=organisme, annee=2013, patrimoine_locatif=1000 * (i + 1), loyers=Decimal("4000000.00") * (i + 1),
            logements=1000 * (i + 1), cotisation_cglls=Decimal("60000.00") * (i + 1),
            plan_cglls="RETABLISSEMENT" if cle == "exonere" else "AUCUN")
        Pret.objects.create(numero_pret=f"P{i}", organisme=organisme, produit="PLUS", date_signature=date(2013, 6, 1),
                            montant=Decimal("1000000.00"), nb_logements=7 + i, zone="1")
        Pret.objects.create(numero_pret=f"R{i}", organisme=organisme, produit="PAM", date_signature=date(2013, 7, 1),
                            montant=Decimal("333333.33"), nb_logements=20, zone="2")
    reference = calcul_executer(calcul_lancer(acting_user=membres["lanceur"], annee=2013, sur_le_worker=False).pk)
    assert reference.statut == StatutCalcul.TERMINE
    return {"reference": reference, **organismes}


def _lignes(calcul) -> dict:
    return {r["organisme_id"]: r for r in ResultatOrganisme.objects.filter(calcul=calcul).values("organisme_id",
                                                                                                   *CHAMPS)}


def _simuler(membre, annee=2013, nom="Exonérés à 50 %", **valeurs) -> Calcul:
    valeurs = valeurs or {"taux_aide_exoneres": Decimal("0.5")}
    variante = variante_creer(acting_user=membre, annee=annee, nom=nom, valeurs=valeurs)
    return calcul_executer(simulation_lancer(acting_user=membre, variante_id=variante.pk, sur_le_worker=False).pk)


def _moitie(montant: Decimal) -> Decimal:
    return (montant * Decimal("0.5")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_exoneres_a_50_pourcent_change_exactement_leurs_aides(membres, annee_2013):
    calcul = _simuler(membres["a"])
    assert calcul.statut == StatutCalcul.TERMINE and calcul.simulation and not calcul.valide
    assert calcul.variante.nom == "Exonérés à 50 %" and calcul.bareme["taux_aide_exoneres"] == "0.5"
    reference, simulee = _lignes(annee_2013["reference"]), _lignes(calcul)
    assert reference.keys() == simulee.keys()
    exonere = annee_2013["exonere"].siren
    for siren, ligne in reference.items():
        if siren == exonere:
            assert ligne["exonere"] and ligne["aide_production"] > 0 and ligne["aide_rehabilitation"] > 0
            for champ in ("aide_production", "aide_rehabilitation", "aide_restructuration"):
                assert simulee[siren][champ] == _moitie(ligne[champ]), champ
        else:
            for champ in ("aide_production", "aide_rehabilitation", "aide_restructuration", "aide_totale"):
                assert simulee[siren][champ] == ligne[champ], (siren, champ)
    # Less aid to cover: the contributors pay less, in total exactly the exempt organism's lost aid.
    perte = reference[exonere]["aide_totale"] - simulee[exonere]["aide_totale"]
    assert perte > 0
    assert sum(x["contribution"] for x in reference.values()) - sum(x["contribution"] for x in simulee.values()) \
        == perte


def test_la_reference_et_la_campagne_ne_bougent_pas(membres, annee_2013):
    reference = annee_2013["reference"]
    avant_lignes, avant = _lignes(reference), Calcul.objects.filter(pk=reference.pk).values().get()
    _simuler(membres["a"])
    assert _lignes(reference) == avant_lignes
    assert Calcul.objects.filter(pk=reference.pk).values().get() == avant  # fingerprint, totals, barème
    assert Campagne.objects.get(annee=2013).statut == StatutCampagne.CALCULEE
    assert Bareme.objects.get(annee=2013).taux_aide_exoneres == Decimal("1")  # the year's barème is untouched


def test_une_simulation_ne_peut_etre_ni_approuvee_ni_validee(membres, annee_2013):
    calcul = _simuler(membres["lanceur"])
    with pytest.raises(ErreurCampagne, match="simulation"):
        calcul_approuver(acting_user=membres["a"], calcul_id=calcul.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprobationCalcul.objects.create(calcul=calcul, membre=membres["a"])
    with pytest.raises(IntegrityError, match="calcul_valide_termine_hors_simulation"), transaction.atomic():
        Calcul.objects.filter(pk=calcul.pk).update(valide=True)
    with pytest.raises(IntegrityError, match="calcul_variante_seulement_en_simulation"), transaction.atomic():
        Calcul.objects.create(campagne=calcul.campagne, statut=StatutCalcul.ECHEC, variante=calcul.variante)


def test_simulation_sur_une_annee_validee(membres, annee_2013):
    reference = annee_2013["reference"]
    calcul_approuver(acting_user=membres["a"], calcul_id=reference.pk)
    calcul_approuver(acting_user=membres["b"], calcul_id=reference.pk)
    reference.refresh_from_db()
    assert reference.valide and Campagne.objects.get(annee=2013).statut == StatutCampagne.VALIDEE
    avant = _lignes(reference)
    calcul = _simuler(membres["a"])  # the triggers let a non-validated run write its rows on a frozen year
    assert calcul.statut == StatutCalcul.TERMINE and len(_lignes(calcul)) == len(avant)
    assert _lignes(reference) == avant
    assert Campagne.objects.get(annee=2013).statut == StatutCampagne.VALIDEE
    assert simulation.calcul_de_reference(2013) == reference


def test_variante_invalide_refusee(membres, annee_2013):
    with pytest.raises(ErreurCampagne, match="100 %"):
        variante_creer(acting_user=membres["a"], annee=2013, nom="Poids faux", valeurs={"poids_loyers": Decimal("0.9")})
    with pytest.raises(ErreurCampagne, match="nom"):
        variante_creer(acting_user=membres["a"], annee=2013, nom=" ", valeurs={})
    with pytest.raises(ErreurCampagne, match="commission"):
        variante_creer(acting_user=_membre("ush", Role.EQUIPE_USH), annee=2013, nom="x", valeurs={})
    assert not BaremeVariante.objects.exists()


def test_comparaison_sommes_par_region_et_total(membres, annee_2013):
    calcul = _simuler(membres["a"])
    comparaison = simulation.comparer(simulation.lignes_du_calcul(annee_2013["reference"]),
                                      simulation.lignes_du_calcul(calcul))
    assert [r.code for r in comparaison.regions] == ["32", "93"]
    for nom in simulation.MONTANTS:
        for cote in ("reference", "simulation", "delta"):
            par_organisme = sum(getattr(getattr(x, nom), cote) for x in comparaison.lignes)
            par_region = sum(getattr(r.ecart(nom), cote) for r in comparaison.regions)
            assert par_organisme == par_region == getattr(comparaison.total.ecart(nom), cote), (nom, cote)
    assert comparaison.total.solde.delta == 0  # Σ soldes = − frais de gestion in both runs
    assert comparaison.total.nb_organismes == 4 and comparaison.nb_modifies == 4


def test_comparer_jointure_externe_et_tri():
    ligne = {"raison_sociale": "A", "region_code": "11", "region_nom": "IdF", "exonere": False,
             "aide_totale": Decimal("10.00"), "contribution": Decimal("4.00"), "solde": Decimal("6.00")}
    comparaison = simulation.comparer([{**ligne, "siren": "1"}, {**ligne, "siren": "2"}],
                                      [{**ligne, "siren": "2", "aide_totale": Decimal("12.00"),
                                        "solde": Decimal("8.00")}, {**ligne, "siren": "3"}])
    assert [x.siren for x in comparaison.lignes] == ["1", "2", "3"]
    assert comparaison.lignes[0].solde.delta == Decimal("-6.00") and not comparaison.lignes[0].present_simulation
    assert comparaison.lignes[1].aide_totale.delta == Decimal("2.00")
    assert [x.siren for x in simulation.trier(comparaison.lignes, "-delta_solde")] == ["3", "2", "1"]
    assert comparaison.total.solde.delta == Decimal("2.00") and comparaison.nb_modifies == 3  # −6 + 2 + 6


# --- Pages, permissions, exports ------------------------------------------------------------------------------------


def test_permissions_par_role(client, personas, annee_2013):
    calcul = _simuler(personas[Role.COMMISSION])
    pages = [reverse("mutualisation:simulations", args=[2013]),
             reverse("mutualisation:simulation", args=[2013, calcul.pk]),
             reverse("mutualisation:simulation-csv", args=[2013, calcul.pk])]
    creer = reverse("mutualisation:variante-creer", args=[2013])
    for role, utilisateur in personas.items():
        client.force_login(utilisateur)
        lit = role in (Role.COMMISSION, Role.EQUIPE_USH, Role.ADMINISTRATEUR)
        simule = role in (Role.COMMISSION, Role.ADMINISTRATEUR)
        for url in pages:
            assert client.get(url).status_code == (200 if lit else 403), (role, url)
        assert client.get(creer).status_code == (200 if simule else 403), role
        lancer = client.post(pages[0], {"variante": calcul.variante_id})
        assert lancer.status_code == (302 if simule else 403), role
    assert Calcul.objects.filter(variante=calcul.variante).count() == 3  # the commission's and the admin's reruns


def test_creer_une_variante_par_la_page(client, personas, annee_2013, django_capture_on_commit_callbacks):
    client.force_login(personas[Role.COMMISSION])
    formulaire = client.get(reverse("mutualisation:variante-creer", args=[2013]))
    initial = {nom: formulaire.context["form"][nom].value() for nom in formulaire.context["form"].fields}
    assert initial["taux_aide_exoneres"] == Decimal("100.00")  # percentages
    donnees = {**{k: str(v).replace(".", ",") for k, v in initial.items() if v is not None},
               "nom": "Exonérés à 50 %", "taux_aide_exoneres": "50"}
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        reponse = client.post(reverse("mutualisation:variante-creer", args=[2013]), donnees)
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    assert len(rappels) == 1  # enqueued for the worker after commit; run here in its place
    variante = BaremeVariante.objects.get()
    assert variante.modifications == {"taux_aide_exoneres": ["1.0000", "0.5"]}
    calcul = variante.calculs.get()
    calcul_executer(calcul.pk)
    assert reponse.url == reverse("mutualisation:simulation", args=[2013, calcul.pk])
    page = client.get(reponse.url + "?modifies=1&tri=-delta_solde")
    assert page.status_code == 200
    texte = page.content.decode()
    assert "Exonérés à 50 %" in texte and f"calcul n° {annee_2013['reference'].pk}" in texte
    assert page.context["nb_lignes"] == 4 and "Écart du solde par région" in texte


def test_page_d_une_simulation_en_cours_montre_l_avancement(client, personas, annee_2013):
    variante = variante_creer(acting_user=personas[Role.COMMISSION], annee=2013, nom="v",
                              valeurs={"taux_aide_exoneres": Decimal("0")})
    calcul = simulation_lancer(acting_user=personas[Role.COMMISSION], variante_id=variante.pk, sur_le_worker=False)
    client.force_login(personas[Role.EQUIPE_USH])
    texte = client.get(reverse("mutualisation:simulation", args=[2013, calcul.pk])).content.decode()
    assert reverse("mutualisation:calcul-etat", args=[calcul.pk]) in texte and "comparaison.csv" not in texte
    # The reference run is not reachable as a simulation.
    reference = annee_2013["reference"]
    assert client.get(reverse("mutualisation:simulation", args=[2013, reference.pk])).status_code == 404


def test_exports_csv_et_xlsx(client, personas, annee_2013):
    calcul = _simuler(personas[Role.COMMISSION])
    client.force_login(personas[Role.COMMISSION])
    reponse = client.get(reverse("mutualisation:simulation-csv", args=[2013, calcul.pk]))
    assert reponse["Content-Disposition"].endswith(f'reference-{annee_2013["reference"].pk}.csv"')
    lignes = list(csv.DictReader(io.StringIO(reponse.content.decode()), delimiter=";"))
    assert len(lignes) == 4
    exonere = next(x for x in lignes if x["siren"] == annee_2013["exonere"].siren)
    reference = _lignes(annee_2013["reference"])[exonere["siren"]]
    assert exonere["exonere"] == "oui" and exonere["aide_totale_reference"] == f"{reference['aide_totale']:.2f}"
    ecart = Decimal(exonere["aide_totale_simulation"]) - reference["aide_totale"]
    assert Decimal(exonere["aide_totale_ecart"]) == ecart < 0
    xlsx = client.get(reverse("mutualisation:simulation-xlsx", args=[2013, calcul.pk]))
    classeur = load_workbook(io.BytesIO(xlsx.content))
    assert classeur.sheetnames == ["Organismes", "Régions"]
    regions = list(classeur["Régions"].iter_rows(values_only=True))
    assert regions[0][:4] == ("Code", "Région", "Organismes", "Organismes modifiés")
    assert regions[-1][1] == "Total" and regions[-1][2] == 4
    assert sum(r[6] for r in regions[1:-1]) == regions[-1][6]  # Σ aid deltas by region = total
    assert classeur["Organismes"].cell(row=2, column=5).number_format.startswith("#,##0.00")
