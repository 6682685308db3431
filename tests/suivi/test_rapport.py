"""The committee's annual report (Annexe 5): a dated snapshot, its PDF (tagged, titled, in French, with its figures),
the worker job, the command line, and the demo data."""

import contextlib
import datetime
import io
import re
import subprocess
import zlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from pacte.enums import Role, StatutTravail
from pacte.models import Engagement, Region, Travail
from pacte.services import referentiels_charger
from pacte.travaux import executeur
from suivi import services
from suivi.models import RapportAnnuel
from suivi.rapport import instantane, rendre_pdf
from tests.factories import (
    AgrementFactory,
    CampagneFactory,
    DepartementFactory,
    ObjectifFactory,
    OrganismeFactory,
    RehabilitationFactory,
)
from tests.suivi.fabriques_comite import (
    BonnePratiqueFactory,
    DiagnosticFactory,
    MiseAJourFactory,
    PointDeBlocageFactory,
    ReunionFactory,
)


@pytest.fixture
def stockage(settings, tmp_path):
    """Reports are written under a temporary folder, not the project's var/."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    return tmp_path


@pytest.fixture
def annee_2014(db):
    """A small 2014: agréments in three regions (one ANRU, one overseas, one by a non-Hlm body), targets, meetings."""
    referentiels_charger()
    regions = {code: Region.objects.get(code=code) for code in ("11", "93", "82", "04")}
    departements = {
        code: DepartementFactory(code=dep, region=regions[code]) for code, dep in
        (("11", "75"), ("93", "13"), ("82", "69"), ("04", "974"))
    }
    hlm = OrganismeFactory(region=regions["11"])
    sem = OrganismeFactory(region=regions["93"], non_hlm=True)
    lignes = [("11", "PLUS", 30000, hlm, False), ("11", "PLAI", 12000, hlm, False), ("93", "PLS", 9000, sem, False),
              ("82", "PLUS", 12345, hlm, False), ("11", "PLUS", 777, hlm, True), ("04", "PLUS", 1500, hlm, False)]
    for code, produit, logements, organisme, anru in lignes:
        AgrementFactory(departement=departements[code], produit=produit, nb_logements=logements,
                        organisme=organisme, anru=anru)
    AgrementFactory(annee=2013, departement=departements["11"], nb_logements=50000, organisme=hlm)
    RehabilitationFactory(departement=departements["11"], nb_logements=40000, organisme=hlm)
    RehabilitationFactory(departement=departements["93"], nb_logements=30000, organisme=hlm, eco_pret=False)
    ObjectifFactory(annee=2014, objectif_production=120000)
    ObjectifFactory(annee=2014, region=regions["11"], objectif_production=40000, objectif_rehabilitation=30000)
    reunions = [ReunionFactory(date=jour) for jour in (
        datetime.date(2014, 2, 4), datetime.date(2014, 6, 17), datetime.date(2014, 11, 25))]
    ReunionFactory(date=datetime.date(2014, 9, 9), regionale=True, region=regions["93"])
    ReunionFactory(date=datetime.date(2013, 12, 1))
    PointDeBlocageFactory(region=regions["93"], titre="Foncier de l'État à Marseille", reunion=reunions[1])
    PointDeBlocageFactory(region=regions["93"], titre="Examiné en 2015", reunion=ReunionFactory(
        date=datetime.date(2015, 2, 3)))
    BonnePratiqueFactory(region=Region.objects.get(code="91"), titre="Conférence régionale du foncier")
    DiagnosticFactory(region=regions["11"], annee=2014, statut="PARTAGE")
    MiseAJourFactory(engagement=Engagement.objects.get(code="E39"), statut="REALISE",
                     commentaire="Trois réunions nationales tenues.", date=datetime.date(2014, 12, 1))
    return regions


def _texte_du_pdf(pdf: bytes, tmp_path) -> str:
    """The PDF's text on one line: spaces (no-break ones included) collapsed, typographic apostrophes made plain."""
    chemin = tmp_path / "rapport.pdf"
    chemin.write_bytes(pdf)
    texte = subprocess.run(["pdftotext", str(chemin), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(texte.replace("’", "'").split())


def _garder_pour_relecture(pdf: bytes, nom: str) -> None:
    """Kept beside the browser tests' screenshots (var/captures), to be looked at."""
    dossier = settings.BASE_DIR / "var" / "captures"
    dossier.mkdir(parents=True, exist_ok=True)
    (dossier / nom).write_bytes(pdf)


def _objets_du_pdf(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated, to look for dictionary entries."""
    morceaux = [pdf]
    for flux in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            morceaux.append(zlib.decompress(flux.group(1)))
    return b"".join(morceaux)


def _infos_du_pdf(chemin) -> str:
    return subprocess.run(["pdfinfo", str(chemin)], capture_output=True, check=True, text=True).stdout


def test_l_instantane_porte_les_chiffres_de_l_annee(annee_2014):
    donnees = instantane(2014)

    production = donnees["production"]
    assert production["total"] == 30000 + 12000 + 9000 + 12345  # metropolitan, ANRU and overseas apart
    assert production["hlm"] == 30000 + 12000 + 12345  # the SEM counts for the sector, not the Hlm share
    assert (production["anru"], production["outre_mer"]) == (777, 1500)
    assert production["objectif_hlm"] == 120000 and production["objectif_importe"]
    assert [a["annee"] for a in production["evolution"]] == [2013, 2014]
    assert production["par_region"][0]["nom"] == "Île-de-France"
    assert production["par_region"][-1]["nom"] == "La Réunion"  # overseas after the metropolitan regions
    assert Decimal(production["par_region"][0]["taux"]) == Decimal("1.05")  # 42 000 Hlm / 40 000
    mobilisation = donnees["mobilisation"]
    assert (mobilisation["nb_reunions"], mobilisation["nb_nationales"], mobilisation["alerte"]) == (4, 3, False)
    assert mobilisation["institutions"][0] == {"nom": "Action Logement", "nb": 4}
    assert [d["region"] for d in mobilisation["diagnostics"] if d["manquant"]] == [
        "Languedoc-Roussillon", "Provence-Alpes-Côte d'Azur"]
    engagements = {e["code"]: e for e in donnees["engagements"]["liste"]}
    assert engagements["E39"]["statut"] == "Réalisé"
    assert [p["eco_pret"] for p in donnees["engagements"]["eco_pret"]] == ["0.0150", "0.0100", "0.0100", "0.0100"]
    assert donnees["impact"]["disponible"] is False
    assert datetime.datetime.fromisoformat(donnees["date_donnees"]).tzinfo is not None


def test_moins_de_trois_reunions_nationales_donnent_une_alerte(db):
    ReunionFactory(date=datetime.date(2015, 1, 10))
    ReunionFactory(date=datetime.date(2015, 5, 10))

    mobilisation = instantane(2015)["mobilisation"]

    assert (mobilisation["nb_nationales"], mobilisation["alerte"]) == (2, True)


def test_le_pdf_contient_le_total_national_et_le_nombre_de_reunions(annee_2014, tmp_path):
    pdf = rendre_pdf(instantane(2014))
    texte = _texte_du_pdf(pdf, tmp_path)
    _garder_pour_relecture(pdf, "rapport-annuel-2014-essai.pdf")

    assert "Rapport annuel 2014 du comité de suivi national" in texte
    assert "En 2014, 63 345 logements locatifs sociaux ont été financés" in texte  # the national total of 2014
    assert "4 réunions se sont tenues" in texte
    assert "3 nationales" in texte
    for destinataire in ("Monsieur le Premier ministre", "ministre de l'Égalité des territoires et du Logement",
                         "membres du Parlement"):
        assert destinataire in texte
    for titre in ("Sommaire", "La mobilisation des signataires", "La production et sa répartition",
                  "Les points de blocage et les solutions proposées", "L'impact économique et financier",
                  "Les bonnes pratiques", "L'état des engagements", "Sources et méthode"):
        assert titre in texte, titre
    assert "Foncier de l'État à Marseille" in texte
    assert "Examiné en 2015" not in texte  # a point belongs to the reports from the year it was examined
    assert texte.count("Source") >= 10


def test_le_pdf_est_balise_titre_et_en_francais(annee_2014, tmp_path):
    chemin = tmp_path / "rapport.pdf"
    chemin.write_bytes(rendre_pdf(instantane(2014)))

    infos = _infos_du_pdf(chemin)
    assert "Title:           Rapport annuel 2014 du comité de suivi national" in infos
    assert "Tagged:          yes" in infos
    contenu = _objets_du_pdf(chemin.read_bytes())
    assert b"/Lang (fr)" in contenu
    assert b"/StructTreeRoot" in contenu and b"/Outlines" in contenu  # structure tree, bookmarks
    assert b"/Subtype /Image" not in contenu  # the charts are vector drawings, not pictures


def test_la_production_par_le_worker_conserve_l_instantane_et_le_pdf(annee_2014, personas, stockage,
                                                                     django_capture_on_commit_callbacks):
    secretariat = personas[Role.SECRETARIAT]
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        rapport = services.rapport_annuel_demander(acting_user=secretariat, annee=2014)
    assert len(rappels) == 1  # the job is sent once the transaction commits
    travail = Travail.objects.get(pk=rapport.travail_id)
    assert (travail.nature, travail.parametres) == ("rapport_annuel", {"rapport_id": rapport.pk})

    resultat = executeur("rapport_annuel")(travail)

    rapport.refresh_from_db()
    assert rapport.statut == StatutTravail.TERMINE
    assert resultat["rapport_id"] == rapport.pk
    assert rapport.donnees["production"]["total"] == 63345
    assert rapport.date_donnees is not None
    assert (stockage / rapport.fichier.name).read_bytes().startswith(b"%PDF")
    assert len(rapport.empreinte) == 64


def test_un_role_sans_la_permission_ne_produit_pas_de_rapport(personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.rapport_annuel_demander(acting_user=personas[Role.COMITE_SUIVI], annee=2014)


def test_ligne_de_commande(annee_2014, stockage, tmp_path):
    sortie = tmp_path / "rapport-2014.pdf"

    call_command("rapport", "annuel", "2014", "--output", str(sortie))

    assert "En 2014, 63 345 logements locatifs sociaux ont été financés" in _texte_du_pdf(sortie.read_bytes(), tmp_path)
    assert RapportAnnuel.objects.get().statut == StatutTravail.TERMINE


def test_ligne_de_commande_refuse_une_annee_hors_du_pacte(db, tmp_path):
    with pytest.raises(CommandError, match="2013 à 2015"):
        call_command("rapport", "annuel", "2016", "--output", str(tmp_path / "x.pdf"))


def test_l_impact_reprend_la_campagne_validee(annee_2014):
    from tests.factories import CalculFactory

    CalculFactory(campagne=CampagneFactory(annee=2014, validee=True))

    impact = instantane(2014)["impact"]

    assert impact["disponible"] and impact["valide"]
    assert "validé par la commission" in impact["source"]


@pytest.mark.django_db
def test_rapport_2014_sur_le_jeu_de_demonstration(tmp_path, stockage):
    """The whole demo (referentials, generated files imported, committee's work), then `rapport annuel 2014`."""
    call_command("charger_referentiels", stdout=io.StringIO())
    call_command("generer_demo", "--dossier", str(tmp_path / "demo"), stdout=io.StringIO())
    sortie = tmp_path / "rapport-2014.pdf"

    call_command("rapport", "annuel", "2014", "--output", str(sortie), stdout=io.StringIO())

    texte = _texte_du_pdf(sortie.read_bytes(), tmp_path)
    _garder_pour_relecture(sortie.read_bytes(), "rapport-annuel-2014-demo.pdf")
    assert "En 2014, 106 414 logements locatifs sociaux ont été financés" in texte  # the published national total
    assert "En 2014, 7 réunions se sont tenues : 4 nationales et 3 régionales." in texte
    assert "Cession lente du foncier de l'État en petite couronne" in texte
    assert "validé par la commission" in texte or "dernier calcul, non encore validé" in texte or (
        "Aucun calcul de mutualisation terminé pour 2014" in texte)


@pytest.mark.worker
def test_un_vrai_worker_produit_le_rapport(worker, personas):
    """Requested from the web side, produced by a real Celery worker process (its own storage: var/fichiers)."""
    import time

    from django.core.files.storage import default_storage

    referentiels_charger()
    ReunionFactory(date=datetime.date(2014, 3, 12))
    rapport = services.rapport_annuel_demander(acting_user=personas[Role.SECRETARIAT], annee=2014)

    limite = time.monotonic() + 90
    while rapport.statut not in (StatutTravail.TERMINE, StatutTravail.ECHEC) and time.monotonic() < limite:
        time.sleep(0.5)
        rapport.refresh_from_db()

    assert rapport.statut == StatutTravail.TERMINE, rapport.message
    assert rapport.donnees["mobilisation"]["nb_reunions"] == 1
    assert Travail.objects.get(pk=rapport.travail_id).statut == StatutTravail.TERMINE
    try:
        with default_storage.open(rapport.fichier.name) as pdf:
            assert pdf.read(5) == b"%PDF-"
    finally:
        default_storage.delete(rapport.fichier.name)


def test_la_page_du_rapport_est_du_xml_bien_forme_lu_par_expat(annee_2014, tmp_path):
    """The report is parsed by expat (suivi/rapport/rendu.py), which falls back to the slow HTML parser in silence:
    the page must stay well-formed XML, user texts with line breaks and markup included (escaped)."""
    from defusedxml import ElementTree

    from mutualisation.documents.rendu import HtmlBienForme
    from suivi.rapport.rendu import source_html

    PointDeBlocageFactory(titre="Ligne <b>piégée</b>", description="Première ligne\nseconde & <i>dernière</i>",
                          reunion=ReunionFactory(date=datetime.date(2014, 3, 3)))
    donnees = instantane(2014)
    source = source_html(donnees)

    racine = ElementTree.fromstring(source)
    assert racine.get("lang") == "fr"
    assert isinstance(HtmlBienForme.ou_html(source, None), HtmlBienForme)
    assert "Première ligne<br/>seconde &amp; &lt;i&gt;dernière&lt;/i&gt;" in source
    texte = _texte_du_pdf(rendre_pdf(donnees), tmp_path)
    assert "Première ligne seconde & <i>dernière</i>" in texte and "Ligne <b>piégée</b>" in texte


def test_le_sommaire_donne_le_numero_de_page_de_chaque_partie(annee_2014, tmp_path):
    texte = _texte_du_pdf(rendre_pdf(instantane(2014)), tmp_path)

    sommaire = re.search(r"Sommaire (.*?) Sources et méthode (\d+)", texte)
    assert sommaire, texte[:600]
    pages = [int(n) for n in re.findall(r"(?:Synthèse|partenaires|répartition|thermique|proposées|organismes|"
                                        r"pratiques|engagements) (\d+)", sommaire.group(1))]
    assert len(pages) == 8 and pages == sorted(pages) and pages[0] == 3  # cover, contents, then the synthesis
    assert int(sommaire.group(2)) >= pages[-1]


def test_les_graphiques_sont_des_chemins_par_couleur_la_part_hlm_par_dessus():
    """One <path> per colour (no <rect> per bar): the Hlm share is painted after, hence over, the total."""
    from suivi.rapport import graphiques

    regions = [{"nom": f"Région {n}", "prioritaire": n == 0, "logements": 1000 * (n + 1), "hlm": 800 * (n + 1),
                "objectif": 900 * (n + 1)} for n in range(22)]
    svg = graphiques.barres_regions(regions, "Logements par région")

    assert "<rect" not in svg and "<line" not in svg
    chemins = re.findall(r'<path fill="(#[0-9a-f]+)"', svg)
    assert chemins == [graphiques.BLEU_CLAIR, graphiques.BLEU]
    assert svg.index(f'stroke="{graphiques.ORANGE}"') > svg.index(f'fill="{graphiques.BLEU}"')  # targets on top
    assert svg.count("<text") == 22 * 2 + 3 + 5  # names and values, legend, axis: every figure still written
    assert "<title>Logements par région</title>" in svg
