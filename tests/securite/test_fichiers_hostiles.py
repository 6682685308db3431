"""Hostile files (issue 7 point 4, docs/fichiers-hostiles.md), through the real entry points of the imports: the
upload page, the API, the `importer` command and the worker's job.

Each hostile file is refused with a French message naming the line or the field, before it is parsed whole, and
nothing is imported (every table an import writes is counted before and after); an upload past the size limit is
refused before its body is read; the worker parses hostile files within a memory bound; formula payloads in names are
stored as text and neutralised in every CSV/XLSX export; WeasyPrint fetches nothing but the application's static files.
"""

import csv
import html
import io
import json
import os
import re
import subprocess
import sys
import threading
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from mutualisation import exports, exports_simulation
from mutualisation.documents import echeancier
from mutualisation.enums import StatutImport, TypeImport
from mutualisation.models import BaseAnnuelle, ImportFichier, Pret, Restructuration
from mutualisation.services.imports import import_soumettre
from mutualisation.simulation import comparer
from pacte.documents_fetcher import ORIGINE, AccesRefuse, FetcherStatique, fichier_statique
from pacte.enums import Role
from pacte.env import url_postgres
from pacte.models import Evenement, Organisme, Travail
from pacte.tasks import travail_executer
from suivi import exports as exports_suivi
from suivi.models import Agrement, Objectif, Rehabilitation
from tests.factories import OrganismeFactory, RegionFactory, siren_avec_cle
from tests.mutualisation.test_documents import annee_validee, membres  # noqa: F401 - fixtures: a validated run
from tests.pacte.test_lecture import RIRES, avec_chaines_partagees, classeur, remplacer_membre

pytestmark = pytest.mark.django_db

MO = 1024 * 1024
TYPES = list(TypeImport.values)  # organismes, bases, prets, restructurations, agrements, rehabilitations, objectifs
S1 = siren_avec_cle(11111111)


# --- Hostile files --------------------------------------------------------------------------------------------------


def _bombe() -> bytes:
    """A real zip bomb: 60 Mo of sheet rows deflated to a few dozen kilobytes (declared sizes honest)."""
    ligne = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    feuille = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
               + ligne * (60 * MO // len(ligne)) + b"</sheetData></worksheet>")
    return remplacer_membre(classeur([["siren"]]), "xl/worksheets/sheet1.xml", feuille)


def _colonnes_xlsx(nombre: int) -> bytes:
    return classeur([[f"c{i}" for i in range(nombre)], ["1"] * 3])


def _controles() -> bytes:
    return (f"siren;raison_sociale;famille;code_region;metropole\n{S1};OPH;OPH;11;oui\n"
            f"{S1};Office\x00nul;OPH;11;oui\n{S1};Bip\x07;OPH;11;oui\n").encode()


def _utf8_invalide() -> bytes:
    return (f"siren;raison_sociale;famille;code_region;metropole\n{S1};OPH;OPH;11;oui\n".encode()
            + f"{S1};Soci".encode() + b"\xe9t\xe9;OPH;11;oui\n")


# (name, file name, content, French message expected, (line, column) of the listed errors)
CAS = {
    "bombe_zip": ("bombe.xlsx", _bombe, r"se décompresse plus de 100 fois \(bombe de décompression \?\)", []),
    "milliard_de_rires": ("rires.xlsx", lambda: remplacer_membre(
        avec_chaines_partagees(classeur([["siren"], ["x"]])), "xl/sharedStrings.xml", RIRES),
        "XML interdit", []),
    "csv_nomme_xlsx": ("faux.xlsx", lambda: b"siren;raison_sociale\n552100554;OPH\n",
                       r"pas un classeur XLSX valide : c'est un texte \(CSV \?\)", []),
    "xlsx_nomme_csv": ("faux.csv", lambda: classeur([["siren"], ["1"]]), "classeur Excel, pas un CSV", []),
    "dix_mille_colonnes_csv": ("larges.csv", lambda: (";".join(f"c{i}" for i in range(10_000)) + "\n1\n").encode(),
                               r"l'en-tête \(ligne 1\) compte 10000 colonnes \(256 au plus\)", []),
    "dix_mille_colonnes_xlsx": ("larges.xlsx", lambda: _colonnes_xlsx(10_000),
                                r"l'en-tête \(ligne 1\) compte 10000 colonnes", []),
    "ligne_sans_fin": ("ligne.csv", lambda: b"x" * (2 * MO), r"la ligne 1 fait 2 Mo sans retour à la ligne", []),
    "un_million_de_lignes": ("lignes.csv", lambda: b"siren\n" + b"1\n" * 1_100_000,
                             r"1100000 lignes de données \(1048576 au plus, sans compter l'en-tête\)", []),
    "caracteres_de_controle": ("controles.csv", _controles, r"Caractères de contrôle interdits dans 2 cellule",
                               [(3, "raison_sociale"), (4, "raison_sociale")]),
    "utf8_invalide": ("latin1.csv", _utf8_invalide, r"UTF-8 \(caractère illisible ligne 3, colonne raison_sociale\)",
                      []),
}


def _type(nom_cas: str) -> str:
    """Each case lands on another import kind, so that every kind meets hostile files."""
    return "organismes" if nom_cas.startswith(("caracteres", "controle")) else TYPES[list(CAS).index(nom_cas) % 7]


def etat() -> dict:
    """Every table an import writes, counted."""
    return {modele.__name__: modele.objects.count() for modele in (
        Organisme, BaseAnnuelle, Pret, Restructuration, Agrement, Rehabilitation, Objectif, Evenement)} | {
        "importes": ImportFichier.objects.filter(statut=StatutImport.IMPORTE).count()}


@pytest.fixture(autouse=True)
def fichiers(settings, tmp_path):
    settings.FICHIERS_DIR = tmp_path / "fichiers"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "stockage"}}}


@pytest.fixture
def importateur(client, roles):
    client.force_login(_utilisateur(Role.EQUIPE_USH))
    OrganismeFactory(siren=S1, region=RegionFactory(code="11"))
    return client


def _utilisateur(role):
    from tests.factories import UtilisateurFactory

    return UtilisateurFactory(role=role, is_staff=True)


def _par_la_page(client, type_fichier, nom, contenu, tmp_path):
    reponse = client.post(reverse("mutualisation:imports"), {
        "type_fichier": type_fichier, "fichier": SimpleUploadedFile(nom, contenu)})
    assert reponse.status_code == 200
    analyse = reponse.context["analyse"]
    assert not analyse.ok
    return analyse.message, [(e.ligne, e.colonne) for e in analyse.erreurs]


def _par_l_api(client, type_fichier, nom, contenu, tmp_path):
    reponse = client.post(reverse("mutualisation-import-list"), {
        "type_fichier": type_fichier, "fichier": SimpleUploadedFile(nom, contenu)})
    assert reponse.status_code == 201, reponse.content
    if reponse.json()["statut"] == StatutImport.EN_ATTENTE:  # a big file: the worker reads it
        travail_executer(ImportFichier.objects.get(pk=reponse.json()["id"]).travail_id)
    fichier = client.get(reverse("mutualisation-import-detail", args=[reponse.json()["id"]])).json()
    assert fichier["statut"] == StatutImport.REFUSE
    rapport = client.get(reverse("mutualisation-import-rapport", args=[fichier["id"]])).json()
    return fichier["message"], [(e["ligne"], e["colonne"]) for e in rapport["results"]]


def _par_la_commande(client, type_fichier, nom, contenu, tmp_path):
    chemin = tmp_path / nom
    chemin.write_bytes(contenu)
    with pytest.raises(CommandError) as refus:
        call_command("importer", type_fichier, str(chemin), stdout=io.StringIO())
    fichier = ImportFichier.objects.get(nom_fichier=nom)
    return str(refus.value), [(e["ligne"], e["colonne"]) for e in fichier.erreurs]


def _par_le_worker(client, type_fichier, nom, contenu, tmp_path):
    fichier = import_soumettre(acting_user=None, type_fichier=type_fichier, nom_fichier=nom, contenu=contenu,
                               sur_le_worker=True)
    assert fichier.statut == StatutImport.EN_ATTENTE
    travail_executer(fichier.travail_id)  # the Celery task's body, in this process
    fichier.refresh_from_db()
    assert fichier.statut == StatutImport.REFUSE
    assert Travail.objects.get(pk=fichier.travail_id).resultat["statut"] == StatutImport.REFUSE
    return fichier.message, [(e["ligne"], e["colonne"]) for e in fichier.erreurs]


ENTREES = {"page": _par_la_page, "api": _par_l_api, "commande": _par_la_commande, "worker": _par_le_worker}


@pytest.mark.parametrize("entree", list(ENTREES))
@pytest.mark.parametrize("cas", list(CAS))
def test_fichier_hostile_refuse_sans_rien_importer(importateur, tmp_path, cas, entree):
    nom, fabrique, motif, lieux = CAS[cas]
    avant = etat()
    message, erreurs = ENTREES[entree](importateur, _type(cas), nom, fabrique(), tmp_path)
    assert "Fichier refusé" in message or "Rien n'a été importé" in message, message
    assert re.search(motif, message), message
    assert erreurs == lieux
    assert etat() == avant


def test_un_fichier_refuse_liste_chaque_cellule_fautive_avec_sa_valeur_visible(importateur):
    fichier = import_soumettre(acting_user=None, type_fichier="organismes", nom_fichier="c.csv",
                               contenu=_controles())
    assert [(e["ligne"], e["valeur"], e["motif"]) for e in fichier.erreurs] == [
        (3, "Office<U+0000>nul", "caractère de contrôle interdit (U+0000)"),
        (4, "Bip<U+0007>", "caractère de contrôle interdit (U+0007)"),
    ]
    assert "Caractères de contrôle interdits dans 2 cellule(s) sur 2 ligne(s)" in fichier.message


def test_la_ligne_de_50_mo_est_refusee_avant_d_etre_analysee(tmp_path, db):
    chemin = tmp_path / "ligne.csv"
    chemin.write_bytes(b"x" * (50 * 1000 * 1000))
    with pytest.raises(CommandError, match=r"la ligne 1 fait 48 Mo sans retour à la ligne \(64 Kio au plus\)"):
        call_command("importer", "prets", str(chemin), stdout=io.StringIO())
    assert not Pret.objects.exists()


# --- 200 Mo: refused before being read ------------------------------------------------------------------------------


class Flux:
    """A request body produced on demand, as a slow client would send it: counts what the server reads."""

    def __init__(self, taille: int):
        self.taille, self.lus = taille, 0

    def read(self, n=-1):
        n = self.taille - self.lus if n is None or n < 0 else min(n, self.taille - self.lus)
        self.lus += n
        return b"x" * n

    def readline(self, n=-1):
        return self.read(min(n, 1024) if n and n > 0 else 1024)


def _wsgi(chemin: str, taille: int, **entetes) -> tuple[str, bytes, Flux]:
    flux = Flux(taille)
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": chemin, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "CONTENT_TYPE": "multipart/form-data; boundary=limite", "CONTENT_LENGTH": str(taille),
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver", "wsgi.url_scheme": "http",
        "wsgi.input": flux, "wsgi.errors": sys.stderr, **entetes,
    }
    statut = []
    corps = b"".join(WSGIHandler()(environ, lambda s, h, *a: statut.append(s)))
    return statut[0], corps, flux


@pytest.mark.parametrize("chemin", ["/mutualisation/imports/", "/api/v1/mutualisation/imports/"])
def test_televersement_de_200_mo_refuse_sans_lire_le_corps(chemin):
    tracemalloc.start()
    try:
        statut, corps, flux = _wsgi(chemin, 200 * MO)
        pic = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert statut.startswith("413")
    assert flux.lus == 0  # not one byte of the body read, so none kept in memory or on disk
    assert pic < 20 * MO
    texte = json.loads(corps)["detail"] if chemin.startswith("/api/") else html.unescape(corps.decode())
    assert "Fichier trop volumineux (200 Mo) : 100 Mo au plus. Rien n'a été importé" in texte


@pytest.mark.parametrize("api", [False, True])
def test_fichier_plus_gros_que_la_limite_arrete_en_cours_de_lecture(importateur, settings, api):
    settings.PACTE_TAILLE_MAX_IMPORT = MO  # the body (1,5 Mo) passes the declared-length check, the file does not
    avant, recus = etat(), ImportFichier.objects.count()
    url = reverse("mutualisation-import-list") if api else reverse("mutualisation:imports")
    reponse = importateur.post(url, {"type_fichier": "prets",
                                     "fichier": SimpleUploadedFile("gros.csv", b"x;" * (3 * MO // 4))})
    assert reponse.status_code == 413
    message = reponse.json()["detail"] if api else html.unescape(reponse.content.decode())
    assert "Fichier trop volumineux" in message and "1 Mo au plus" in message
    assert etat() == avant and ImportFichier.objects.count() == recus


def test_commande_et_worker_refusent_un_fichier_de_200_mo_sans_le_lire(importateur, tmp_path):
    gros = tmp_path / "gros.csv"
    with gros.open("wb") as fichier:
        fichier.truncate(200 * MO)  # sparse: 200 Mo declared, nothing written
    avant = etat()
    with pytest.raises(CommandError, match=r"Fichier trop volumineux \(200 Mo\) : 100 Mo au plus"):
        call_command("importer", "prets", str(gros), stdout=io.StringIO())
    fichier = import_soumettre(acting_user=None, type_fichier="prets", nom_fichier="p.csv", contenu=b"numero_pret\n",
                               sur_le_worker=True)
    with open(fichier.chemin, "r+b") as stocke:  # the stored file grew past the limit behind the application's back
        stocke.truncate(200 * MO)
    travail_executer(fichier.travail_id)
    fichier.refresh_from_db()
    assert fichier.statut == StatutImport.REFUSE and "Fichier trop volumineux (200 Mo)" in fichier.message
    assert etat() == avant


def test_l_api_et_le_service_refusent_un_contenu_trop_gros(importateur, settings):
    from mutualisation.services.imports import ErreurImport

    settings.PACTE_TAILLE_MAX_IMPORT = 1024
    with pytest.raises(ErreurImport, match="Fichier trop volumineux"):
        import_soumettre(acting_user=None, type_fichier="prets", nom_fichier="p.csv", contenu=b"x" * 2048)
    assert not ImportFichier.objects.exists()


# --- The worker's memory ----------------------------------------------------------------------------------------


ANALYSE_DU_WORKER = """
import json, sys
import django
django.setup()
from pacte.tasks import travail_executer
from mutualisation.models import ImportFichier
def pic():  # kibibytes; ru_maxrss would keep the forked parent's size, VmHWM starts again at exec
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
avant = pic()
for travail in json.loads(sys.argv[1]):
    travail_executer(travail)
print(json.dumps({"avant": avant, "apres": pic(),
                  "statuts": list(ImportFichier.objects.order_by("pk").values_list("statut", flat=True))}))
"""


@pytest.mark.django_db(transaction=True)
def test_le_worker_analyse_les_fichiers_hostiles_en_memoire_bornee(tmp_path, settings):
    settings.FICHIERS_DIR = tmp_path / "fichiers"
    OrganismeFactory(siren=S1, region=RegionFactory(code="11"))
    hostiles = [("bombe.xlsx", _bombe()), ("colonnes.xlsx", _colonnes_xlsx(10_000)),
                ("ligne.csv", b"x" * (40 * MO)), ("lignes.csv", b"siren\n" + b"1\n" * 1_100_000),
                ("rires.xlsx", CAS["milliard_de_rires"][1]())]
    travaux = [import_soumettre(acting_user=None, type_fichier="prets", nom_fichier=nom, contenu=contenu,
                                sur_le_worker=True).travail_id for nom, contenu in hostiles]
    del hostiles
    environnement = {**os.environ, "DATABASE_URL": url_postgres(connection.settings_dict),
                     "PACTE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "pacte.settings"}
    sortie = subprocess.run([sys.executable, "-c", ANALYSE_DU_WORKER, json.dumps(travaux)],  # noqa: S603
                            cwd=django_settings.BASE_DIR, env=environnement, capture_output=True, text=True,
                            timeout=120, check=True)
    mesure = json.loads(sortie.stdout.strip().splitlines()[-1])
    assert mesure["statuts"] == [StatutImport.REFUSE] * 5
    # The peak of the whole process (Python, Django, pandas, openpyxl included), and what the five files added.
    assert mesure["apres"] < 300 * 1024, mesure
    assert mesure["apres"] - mesure["avant"] < 150 * 1024, mesure
    assert not Pret.objects.exists()


def test_le_worker_est_remplace_quand_sa_memoire_depasse_la_limite():
    assert django_settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD == 1024 * 1024  # Kio: 1 Gio


# --- Formula payloads: stored as text, neutralised in every export ------------------------------------------------

CHARGES = ['=HYPERLINK("http://x","clic")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1+1)", "\t=1+1", "\r=2+2",
           " =3+3", "\uff1d4+4"]


def _sirens(n: int) -> list[str]:
    return [siren_avec_cle(44_000_000 + i) for i in range(n)]


def _csv_organismes() -> bytes:
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_ALL)
    ecrivain.writerow(["siren", "raison_sociale", "famille", "code_region", "metropole"])
    for siren, nom in zip(_sirens(len(CHARGES)), CHARGES, strict=True):
        ecrivain.writerow([siren, nom, "OPH", "11", "oui"])
    return sortie.getvalue().encode()


def test_les_formules_sont_importees_comme_du_texte(db):
    RegionFactory(code="11")
    fichier = import_soumettre(acting_user=None, type_fichier="organismes", nom_fichier="o.csv",
                               contenu=_csv_organismes())
    assert fichier.statut == StatutImport.IMPORTE, fichier.message
    noms = dict(Organisme.objects.filter(siren__in=_sirens(len(CHARGES))).values_list("siren", "raison_sociale"))
    # Stored exactly as written (the surrounding blanks of a cell are trimmed, as for every value).
    assert [noms[s] for s in _sirens(len(CHARGES))] == [c.strip() for c in CHARGES]


def _verifier_csv(contenu: bytes, noms: list[str], separateur=";") -> None:
    """Each name is in the file neutralised (an apostrophe first), never as written; the file's rows are intact."""
    lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=separateur))
    assert len({len(ligne) for ligne in lignes}) == 1  # no name broke a row
    cellules = [c for ligne in lignes for c in ligne]
    for nom in noms:
        assert nom not in cellules, nom
        assert exports.neutraliser(nom) in cellules and exports.neutraliser(nom).startswith("'"), nom


def _verifier_xlsx(contenu: bytes, noms: list[str]) -> None:
    classeur_lu = openpyxl.load_workbook(io.BytesIO(contenu))
    cellules = [c for feuille in classeur_lu for rangee in feuille.iter_rows() for c in rangee]
    assert not [c.coordinate for c in cellules if c.data_type == "f"]  # no formula at all
    valeurs = [c.value for c in cellules]
    for nom in noms:
        assert exports.neutraliser(nom) in valeurs and nom not in valeurs, nom


@pytest.fixture
def noms_hostiles(annee_validee):  # noqa: F811 - the fixture imported above
    """The validated run's three organisms renamed with payloads (names are read at export time)."""
    noms = {"oph": CHARGES[0], "esh": CHARGES[1], "coop": CHARGES[3]}
    for cle, nom in noms.items():
        Organisme.objects.filter(pk=annee_validee[cle].pk).update(raison_sociale=nom)
    return annee_validee, list(noms.values())


def test_exports_de_la_mutualisation_neutralises(client, personas, noms_hostiles, tmp_path):
    annee, noms = noms_hostiles
    client.force_login(personas[Role.COMITE_SUIVI])
    _verifier_csv(client.get(reverse("mutualisation:export-csv", kwargs={"annee": 2013})).content, noms)
    _verifier_xlsx(client.get(reverse("mutualisation:export-xlsx", kwargs={"annee": 2013})).content, noms)
    call_command("mutualisation", "exporter", "2013", "--output", str(tmp_path / "r.csv"))
    _verifier_csv((tmp_path / "r.csv").read_bytes(), noms)
    lignes = echeancier.lignes_echeancier(annee["calcul"], date_emission=annee["calcul"].created_at.date())
    _verifier_csv(echeancier.echeancier_csv(lignes), [n for n in noms if n in {x.raison_sociale for x in lignes}])
    _verifier_xlsx(echeancier.echeancier_xlsx(lignes, annee=2013),
                   [n for n in noms if n in {x.raison_sociale for x in lignes}])
    assert exports.neutraliser("Office public") == "Office public" and exports.neutraliser("") == ""


def test_exports_de_simulation_du_suivi_et_des_appels_neutralises(db):
    from pacte.appels.exports import export_csv as appels_csv
    from pacte.appels.exports import export_xlsx as appels_xlsx
    from pacte.models_appels import Candidature
    from tests.appels.factories import CandidatureFactory

    lignes = [{"siren": s, "raison_sociale": n, "region_code": "11", "region_nom": "Île-de-France",
               "aide_totale": 1, "contribution": 0, "solde": 1} for s, n in zip(_sirens(8), CHARGES, strict=True)]
    comparaison = comparer(lignes, lignes)
    _verifier_csv(exports_simulation.export_csv(comparaison), CHARGES)
    _verifier_xlsx(exports_simulation.export_xlsx(comparaison, titre="t"), CHARGES)
    tableau = exports_suivi.tableau_organismes([], 2014, source="s", urls={}, parent="x")
    tableau.lignes = [{"nom": nom, "siren": s, "famille": "OPH", "hlm": True} for s, nom in zip(_sirens(8), CHARGES,
                                                                                                 strict=True)]
    _verifier_csv(exports_suivi.export_csv(tableau), CHARGES)
    _verifier_xlsx(exports_suivi.export_xlsx(tableau), CHARGES)
    candidature = CandidatureFactory(organisme__raison_sociale=CHARGES[0], intitule=CHARGES[2])
    candidatures = Candidature.objects.filter(pk=candidature.pk)
    _verifier_csv(appels_csv(candidatures), [CHARGES[0], CHARGES[2]])
    _verifier_xlsx(appels_xlsx(candidature.appel, candidatures), [CHARGES[0], CHARGES[2]])


def test_export_de_l_admin_neutralise_et_import_de_l_admin_sans_archive(admin_client, db):
    from pacte.admin import OrganismeAdmin

    OrganismeFactory(raison_sociale=CHARGES[1])
    reponse = admin_client.post(reverse("admin:pacte_organisme_export"), {
        "format": "0", "resource": "0", **{f"organismeresource_{c}": "on" for c in
                                          ("siren", "raison_sociale", "famille", "region", "metropole")}})
    assert reponse.status_code == 200, reponse.content[:500]
    _verifier_csv(reponse.content, [CHARGES[1]], separateur=",")
    assert [f.__name__ for f in OrganismeAdmin.import_formats] == ["CSV"]


# --- WeasyPrint: nothing fetched but our static files ---------------------------------------------------------------


@pytest.fixture
def serveur_espion():
    """A local HTTP server that records every request it receives (the test asserts it receives none)."""
    recues = []

    class Espion(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            recues.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    serveur = ThreadingHTTPServer(("127.0.0.1", 0), Espion)
    fil = threading.Thread(target=serveur.serve_forever, daemon=True)
    fil.start()
    yield f"http://127.0.0.1:{serveur.server_address[1]}", recues
    serveur.shutdown()
    serveur.server_close()


def _texte_pdf(contenu: bytes) -> str:
    return " ".join(subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=contenu, capture_output=True,
                                   check=True, timeout=60).stdout.decode().split())


def _nom_piege(adresse: str) -> str:
    return f'<img src="{adresse}/nom.png"><link rel="stylesheet" href="file:///etc/passwd"> file:///etc/passwd'


def test_le_fetcher_ne_sert_que_les_fichiers_statiques(serveur_espion):
    adresse, recues = serveur_espion
    fetcher = FetcherStatique()
    assert fichier_statique(f"{ORIGINE}/static/dsfr/dist/fonts/Marianne-Regular.woff2").read_bytes()[:4] == b"wOF2"
    for url in (f"{adresse}/x.png", f"{adresse.replace('http', 'https')}/x.png", "file:///etc/passwd",
                "data:image/png;base64,iVBORw0KGgo=", f"{ORIGINE}/static/..%2f..%2fsettings.py",
                f"{ORIGINE}/static/%00x", f"{ORIGINE}@127.0.0.1/static/x", "ftp://127.0.0.1/x"):
        with pytest.raises(AccesRefuse):
            fetcher.fetch(url)
    from mutualisation.documents.rendu import rendu

    html = (f'<html lang="fr"><head><title>t</title><link rel="stylesheet" href="{adresse}/s.css">'
            f'<style>@import url("{adresse}/i.css"); p {{ background: url("{adresse}/f.png") }}</style></head>'
            f'<body><img src="{adresse}/a.png"><img src="file:///etc/passwd"><p>Texte</p></body></html>')
    assert "Texte" in _texte_pdf(rendu().pdf(html))
    assert recues == []


def test_un_nom_piege_dans_l_avis_est_du_texte_et_rien_n_est_demande(serveur_espion, annee_validee):  # noqa: F811
    from mutualisation.documents import avis

    adresse, recues = serveur_espion
    nom = _nom_piege(adresse)
    Organisme.objects.filter(pk=annee_validee["oph"].pk).update(raison_sociale=nom[:255])
    resultat = annee_validee["calcul"].resultats.select_related("organisme", "organisme__region").get(
        organisme=annee_validee["oph"])
    texte = _texte_pdf(avis.avis_pdf(resultat, avis.contexte_avis(annee_validee["calcul"])))
    assert f'<img src="{adresse}/nom.png">' in texte and "file:///etc/passwd" in texte  # shown, escaped, as text
    assert recues == []


def test_un_nom_piege_dans_le_rapport_annuel_est_du_texte_et_rien_n_est_demande(serveur_espion):
    from pacte.services import referentiels_charger
    from suivi.rapport import instantane, rendre_pdf
    from tests.suivi.fabriques_comite import BonnePratiqueFactory

    adresse, recues = serveur_espion
    referentiels_charger()
    BonnePratiqueFactory(organisme=OrganismeFactory(raison_sociale=_nom_piege(adresse)), titre="Pratique piégée")
    texte = _texte_pdf(rendre_pdf(instantane(2014)))
    assert "Pratique piégée" in texte and f'<img src="{adresse}/nom.png">' in texte
    assert recues == []


def test_le_fetcher_est_le_meme_pour_les_deux_rendus():
    from mutualisation.documents import rendu as rendu_mutualisation
    from suivi.rapport import rendu as rendu_rapport

    assert rendu_mutualisation.FetcherStatique is FetcherStatique
    # the report renders through the notices' renderer, with its own stylesheet and that same fetcher
    notices, rapport = rendu_mutualisation.rendu(), rendu_mutualisation.rendu(rendu_rapport.FEUILLE_DE_STYLE)
    assert notices is not rapport
    assert isinstance(notices.fetcher, FetcherStatique) and isinstance(rapport.fetcher, FetcherStatique)
