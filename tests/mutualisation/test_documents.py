"""The mutualisation's documents (docs/documents.md): notices, schedule, bilan, the worker job and the commands.

The PDFs are read back with pdftotext (poppler-utils, installed by scripts/paquets-systeme.sh) and every figure is
compared, to the cent, with ``format_euros`` of the stored result."""

import csv
import io
import re
import subprocess
import zipfile
import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from mutualisation import selectors
from mutualisation.documents import avis, bilan, echeancier, rendu
from mutualisation.documents.lots import fichier_avis, fichier_zip, lot_ecrire
from mutualisation.documents.source import ErreurDocument, exiger_calcul_valide
from mutualisation.enums import Sens
from mutualisation.models import BaseAnnuelle, Pret, Restructuration
from mutualisation.referentiels import baremes_charger
from mutualisation.services.campagne import ajustement_enregistrer, calcul_executer, calcul_lancer
from mutualisation.services.cycle import ActionRefusee, calcul_approuver
from mutualisation.services.documents import avis_generer
from pacte.enums import Famille, Role, StatutTravail
from pacte.formats import format_euros
from pacte.models import Evenement, Travail
from pacte.travaux import executeur
from tests.factories import OrganismeFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

EMISSION = date(2014, 3, 3)
MOTIF = "Opération sinistrée examinée en commission"


def _texte(contenu: bytes) -> str:
    """The PDF's text, whitespace (no-break spaces included) collapsed to single spaces."""
    sortie = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=contenu, capture_output=True,
                            check=True, timeout=60).stdout.decode()
    return _espaces(sortie)


def _espaces(texte: str) -> str:
    return re.sub(r"\s+", " ", texte.replace("\u00a0", " ").replace("\u202f", " "))


def _euros(montant) -> str:
    return _espaces(format_euros(montant))


def _info(contenu: bytes) -> str:
    return subprocess.run(["pdfinfo", "-"], input=contenu, capture_output=True, check=True, timeout=60).stdout.decode()


def _objets(contenu: bytes) -> bytes:
    """The PDF's objects with its compressed streams inflated (the catalog sits in an object stream)."""
    flux = [contenu]
    for morceau in re.findall(rb"stream\r?\n(.*?)endstream", contenu, flags=re.S):
        try:
            flux.append(zlib.decompress(morceau))
        except zlib.error:
            pass
    return b"\n".join(flux)


def _base(organisme, **champs):
    valeurs = {"patrimoine_locatif": 1000, "loyers": Decimal("4000000.00"), "logements": 1000,
               "cotisation_cglls": Decimal("60000.00"), "plan_cglls": "AUCUN", **champs}
    return BaseAnnuelle.objects.create(organisme=organisme, annee=2013, **valeurs)


def _pret(organisme, numero, produit, logements, zone, montant="1000000.00", operation="", signature=None):
    return Pret.objects.create(numero_pret=numero, numero_operation=operation, organisme=organisme, produit=produit,
                               date_signature=signature or date(2013, 6, 1), montant=Decimal(montant),
                               nb_logements=logements, zone=zone)


@pytest.fixture
def membres(personas):
    return {nom: UtilisateurFactory(username=nom, email=f"{nom}@commission.test", role=Role.COMMISSION)
            for nom in ("lanceur", "membre-a", "membre-b")}


@pytest.fixture
def annee_validee(membres):
    """2013 computed and validated (four eyes): a beneficiary (OPH, with an adjustment), a contributor (ESH, hostile
    name), an exempt cooperative, and a non-Hlm body out of scope."""
    baremes_charger()
    oph = OrganismeFactory(raison_sociale="OPH de la Somme")
    esh = OrganismeFactory(famille=Famille.ESH, raison_sociale="=HYPERLINK(\"http://x\")")
    coop = OrganismeFactory(famille=Famille.COOP, raison_sociale="Coop Hlm du Nord")
    sem = OrganismeFactory(non_hlm=True)
    _base(oph)
    _base(esh, loyers=Decimal("8000000.00"), logements=2000, cotisation_cglls=Decimal("90000.00"))
    _base(coop, plan_cglls="CONSOLIDATION")
    _base(sem)
    _pret(oph, "P1", "PLUS", 20, "1", operation="OP1")
    _pret(oph, "P2", "PLUS_FONCIER", 20, "1", operation="OP1")
    _pret(oph, "P3", "PLAI", 5, "1", operation="OP1")
    _pret(esh, "P4", "ECO_PRET", 12, "", montant="1234567.89")
    _pret(esh, "P5", "PLUS", 8, "3", signature=date(2012, 12, 31))
    _pret(coop, "P6", "PLAI", 4, "2")
    _pret(sem, "P7", "PLUS", 30, "1")
    Restructuration.objects.create(organisme=esh, annee=2013, reference="R-ESH-1", nb_logements=12,
                                   zone_detendue=True)
    ajustement_enregistrer(acting_user=membres["membre-a"], annee=2013, siren=oph.siren,
                           montant=Decimal("1234.56"), motif=MOTIF)
    calcul = calcul_executer(calcul_lancer(acting_user=membres["lanceur"], annee=2013, sur_le_worker=False).pk)
    calcul_approuver(acting_user=membres["membre-a"], calcul_id=calcul.pk)
    calcul_approuver(acting_user=membres["membre-b"], calcul_id=calcul.pk)
    calcul.refresh_from_db()
    assert calcul.valide
    return {"calcul": calcul, "oph": oph, "esh": esh, "coop": coop, "sem": sem}


def _resultat(annee_validee, cle):
    return annee_validee["calcul"].resultats.select_related("organisme", "organisme__region").get(
        organisme=annee_validee[cle])


def _contexte(annee_validee):
    return avis.contexte_avis(annee_validee["calcul"], date_emission=EMISSION)


MONTANTS = ("aide_production", "aide_rehabilitation", "aide_restructuration", "ajustements", "aide_totale",
            "part_cotisation_cglls", "part_loyers", "part_patrimoine", "contribution", "solde")


# --- Notices --------------------------------------------------------------------------------------------------------


def test_avis_de_versement_egal_au_resultat_enregistre(annee_validee):
    resultat = _resultat(annee_validee, "oph")
    assert resultat.sens == Sens.VERSEMENT
    texte = _texte(avis.avis_pdf(resultat, _contexte(annee_validee)))
    assert "Avis de versement – mutualisation 2013" in texte and "appel de fonds" not in texte.lower()
    for nom in MONTANTS:
        assert _euros(getattr(resultat, nom)) in texte, nom
    assert f"Montant versé à l'organisme : {_euros(resultat.solde)}" in texte
    assert "OPH de la Somme" in texte and f"SIREN {resultat.organisme_id}" in texte
    assert "Île-de-France" in texte
    # the operation, its loans and the dedup max PLUS + max PLAI (20 + 5 dwellings, not 45)
    assert "Opération OP1, zone 1" in texte and "PLUS 20 + PLAI 5" in texte
    assert f"25 × {_euros(Decimal('3300'))}" in texte
    for numero in ("P1", "P2", "P3"):
        assert f"prêt {numero}" in texte
    assert MOTIF in texte and _euros(Decimal("1234.56")) in texte
    # bases: the organism's and the contributors' national totals (OPH + ESH, the cooperative being exempt)
    assert _euros(Decimal("4000000.00")) in texte and _euros(Decimal("12000000.00")) in texte
    assert _euros(Decimal("150000.00")) in texte and "3 000" in _espaces(texte)
    # each part's computation on one line: total of the part × the organism's base ÷ the contributors' base
    loyers = Decimal(annee_validee["calcul"].totaux["total_loyers"])
    assert f"{_euros(loyers)} × {_euros(Decimal('4000000.00'))} ÷ {_euros(Decimal('12000000.00'))}" in texte
    assert f"date de versement prévue : {date(2014, 4, 2):%d/%m/%Y}" in texte
    assert f"MUT-2013-{resultat.organisme_id}" in texte


def test_avis_d_appel_de_fonds_egal_au_resultat_enregistre(annee_validee):
    resultat = _resultat(annee_validee, "esh")
    assert resultat.sens == Sens.APPEL_DE_FONDS
    texte = _texte(avis.avis_pdf(resultat, _contexte(annee_validee)))
    assert "Avis d'appel de fonds – mutualisation 2013" in texte and "Avis de versement" not in texte
    for nom in MONTANTS:
        assert _euros(getattr(resultat, nom)) in texte, nom
    assert f"Montant appelé auprès de l'organisme : {_euros(-resultat.solde)}" in texte
    # rehabilitation: 5 % of the Éco-prêt; restructuring declaration; the 2012 loan reported as not retained
    assert "P4" in texte and _euros(Decimal("1234567.89")) in texte
    assert f"5,00 % du montant signé, arrondi au centime {_euros(resultat.aide_rehabilitation)}" in texte
    assert "R-ESH-1 (12 logements)" in texte
    assert "Signé ou déclaré une autre année que celle de la campagne" in texte
    assert "au plus tard le 02/04/2014" in texte


def test_avis_d_un_organisme_exonere(annee_validee):
    resultat = _resultat(annee_validee, "coop")
    texte = _texte(avis.avis_pdf(resultat, _contexte(annee_validee)))
    assert resultat.exonere and resultat.contribution == 0
    assert "exonéré de la cotisation de mutualisation" in texte and "Avis de versement" in texte
    assert _euros(resultat.aide_production) in texte and f"Contribution {_euros(Decimal('0'))}" in texte


def test_metadonnees_des_pdf_titre_langue_balisage(annee_validee):
    contenu = avis.avis_pdf(_resultat(annee_validee, "oph"), _contexte(annee_validee))
    info = _info(contenu)
    assert "Title:           Avis de versement 2013 – OPH de la Somme" in info
    assert re.search(r"Tagged:\s+yes", info)
    assert b"/Lang (fr)" in _objets(contenu)
    assert b"pdfuaid:part=\"1\"" in _objets(contenu)
    contenu = bilan.bilan_pdf(annee_validee["calcul"])
    assert "Title:           Bilan annuel de la mutualisation financière Hlm 2013" in _info(contenu)
    assert b"/Lang (fr)" in _objets(contenu)


def test_l_avis_est_analyse_en_xml_et_rendu_comme_en_html(annee_validee):
    """Notices are well-formed XML, parsed by expat rather than the slower HTML5 parser (docs/documents.md § 5): a
    template change that broke this would silently cost 8 % of the batch. Both parsers give the same PDF; a page that
    is not well-formed is still rendered, through the HTML parser."""
    html = avis.avis_html(_resultat(annee_validee, "esh"), _contexte(annee_validee))
    moteur = rendu.rendu()
    document = rendu.HtmlBienForme.ou_html(html, moteur.fetcher)
    assert isinstance(document, rendu.HtmlBienForme)
    en_html = rendu.HTML(string=html, base_url=rendu.BASE_URL, url_fetcher=moteur.fetcher)
    options = {"stylesheets": [moteur.css], "font_config": moteur.polices, **rendu.OPTIONS_PDF}
    assert _texte(document.write_pdf(**options)) == _texte(en_html.write_pdf(**options))
    assert "=HYPERLINK" in _texte(moteur.pdf(html))
    assert not isinstance(rendu.HtmlBienForme.ou_html("<p>un<br>deux</p>", moteur.fetcher), rendu.HtmlBienForme)
    entites = '<!DOCTYPE p [<!ENTITY e "x">]><p>&e;</p>'
    assert not isinstance(rendu.HtmlBienForme.ou_html(entites, moteur.fetcher), rendu.HtmlBienForme)


def test_le_rendu_ne_lit_que_les_fichiers_statiques():
    police = rendu.fichier_statique(f"{rendu.ORIGINE}/static/dsfr/dist/fonts/Marianne-Regular.woff2")
    assert police.name == "Marianne-Regular.woff2" and police.is_file()
    for url in ("file:///etc/passwd", "https://exemple.fr/static/dsfr/dist/fonts/Marianne-Regular.woff2",
                f"{rendu.ORIGINE}/static/../../../../etc/passwd", f"{rendu.ORIGINE}/static/%2e%2e/settings.py",
                f"{rendu.ORIGINE}/media/x.png", f"{rendu.ORIGINE}/static/inexistant.css"):
        with pytest.raises(rendu.AccesRefuse):
            rendu.fichier_statique(url)
    html = ('<html lang="fr"><head><title>Essai</title></head><body><img src="file:///etc/passwd" alt="">'
            '<p>Texte</p></body></html>')
    assert "Texte" in _texte(rendu.rendu().pdf(html))


# --- Schedule -------------------------------------------------------------------------------------------------------


def test_echeancier_csv_et_xlsx_somment_aux_totaux(annee_validee):
    calcul = annee_validee["calcul"]
    synthese = selectors.synthese_du_calcul(calcul)
    lignes = echeancier.lignes_echeancier(calcul, date_emission=EMISSION)
    lecteur = list(csv.DictReader(io.StringIO(echeancier.echeancier_csv(lignes).decode()), delimiter=";"))
    assert list(lecteur[0]) == echeancier.COLONNES
    assert len(lecteur) == synthese["nb_versements"] + synthese["nb_appels"]
    versements = sum(Decimal(ligne["montant"]) for ligne in lecteur if ligne["sens"] == Sens.VERSEMENT)
    appels = sum(Decimal(ligne["montant"]) for ligne in lecteur if ligne["sens"] == Sens.APPEL_DE_FONDS)
    assert (versements, appels) == (synthese["versements"], synthese["appels"])
    assert versements - appels == synthese["solde"] == -Decimal(calcul.totaux["frais_gestion"])
    esh = next(ligne for ligne in lecteur if ligne["siren"] == annee_validee["esh"].siren)
    assert esh["raison_sociale"].startswith("'=") and esh["date_echeance"] == "2014-04-02"
    assert esh["reference"] == f"MUT-2013-{annee_validee['esh'].siren}"
    classeur = load_workbook(io.BytesIO(echeancier.echeancier_xlsx(lignes, annee=2013)))
    feuille = classeur["Échéancier 2013"]
    montants = [Decimal(str(ligne[6])) for ligne in feuille.iter_rows(min_row=2, values_only=True)]
    assert sum(montants) == versements + appels
    totaux = list(classeur["Totaux"].iter_rows(min_row=2, values_only=True))
    assert [(t[1], Decimal(str(t[2]))) for t in totaux] == [(synthese["nb_versements"], versements),
                                                           (synthese["nb_appels"], appels)]


# --- Bilan ----------------------------------------------------------------------------------------------------------


def test_bilan_egal_aux_resultats_enregistres(annee_validee):
    calcul = annee_validee["calcul"]
    synthese = selectors.synthese_du_calcul(calcul)
    donnees = bilan.donnees_bilan(calcul)
    assert sum(r["aides"] for r in donnees["regions"]) == synthese["aide_totale"]
    assert sum(f["versements"] for f in donnees["familles"]) == synthese["versements"]
    assert sum(p["montant"] for p in donnees["parts"]) == synthese["contribution"]
    assert [p["poids"] for p in donnees["parts"]] == [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")]
    assert all(controle["ok"] for controle in donnees["controles"])
    assert donnees["ajustements"] == [{"siren": annee_validee["oph"].siren, "raison_sociale": "OPH de la Somme",
                                       "montant": Decimal("1234.56"), "motif": MOTIF}]
    texte = _texte(bilan.bilan_pdf(calcul))
    for nom in ("aide_production", "aide_rehabilitation", "aide_restructuration", "ajustements", "aide_totale",
                "part_cotisation_cglls", "part_loyers", "part_patrimoine", "contribution", "versements", "appels"):
        assert _euros(synthese[nom]) in texte, nom
    assert f"Bénéficiaires nets : versements {synthese['nb_versements']} {_euros(synthese['versements'])}" in texte
    assert f"Contributeurs nets : appels de fonds {synthese['nb_appels']} {_euros(synthese['appels'])}" in texte
    ile_de_france = next(r for r in donnees["regions"] if r["code"] == "11")
    assert (f"Île-de-France {ile_de_france['nb_organismes']} {_euros(ile_de_france['aides'])} "
            f"{_euros(ile_de_france['contributions'])}") in texte
    assert MOTIF in texte and "conforme" in texte and "écart" not in texte
    assert f"calcul validé n° {calcul.pk}" in texte and calcul.empreinte_entrees in texte.replace(" ", "")


def test_bilan_graphiques_svg_vectoriels(annee_validee):
    donnees = bilan.donnees_bilan(annee_validee["calcul"])
    graphiques = bilan.graphiques_bilan(donnees)
    assert len(graphiques["regions"]["barres"]) == len(donnees["regions"])
    assert len(graphiques["parts"]["segments"]) == 3
    contenu = bilan.bilan_pdf(annee_validee["calcul"])
    assert b"/Image" not in _objets(contenu)  # charts are vector paths, not pictures
    assert "Île-de-France" in _texte(contenu)


# --- Worker job, service, commands ----------------------------------------------------------------------------------


def test_travail_avis_generer_un_pdf_par_organisme_et_un_zip(annee_validee, membres, settings, tmp_path):
    settings.FICHIERS_DIR = tmp_path
    calcul = annee_validee["calcul"]
    travail = avis_generer(acting_user=membres["membre-a"], annee=2013)
    assert travail.nature == "avis_generer" and travail.parametres == {"annee": 2013, "calcul": calcul.pk}
    assert Evenement.objects.filter(action="avis_generer", objet="2013").exists()
    resultat = executeur(travail.nature)(travail)
    travail.refresh_from_db()
    nombre = calcul.resultats.count()
    assert nombre == 3 and travail.total == nombre and travail.avancement == nombre
    assert resultat["nb_avis"] == nombre and resultat["versements"] == str(selectors.synthese_du_calcul(
        calcul)["versements"])
    with zipfile.ZipFile(Path(resultat["dossier"]) / resultat["zip"]) as archive:
        noms = sorted(archive.namelist())
    sirens = sorted(calcul.resultats.values_list("organisme_id", flat=True))
    assert noms == sorted([f"avis-2013-{s}.pdf" for s in sirens] + ["echeancier-2013.csv", "echeancier-2013.xlsx"])
    Travail.objects.filter(pk=travail.pk).update(statut=StatutTravail.TERMINE, resultat=resultat)
    chemin = fichier_avis(2013, annee_validee["oph"].siren)
    assert chemin is not None and "Avis de versement" in _texte(chemin.read_bytes())
    assert fichier_avis(2013, annee_validee["sem"].siren) is None and fichier_zip(2013).suffix == ".zip"


def test_avis_generer_exige_un_calcul_valide_et_le_droit(personas, membres):
    baremes_charger()
    with pytest.raises(ErreurDocument, match="pas de calcul validé"):
        avis_generer(acting_user=membres["membre-a"], annee=2013)
    with pytest.raises(ActionRefusee):
        avis_generer(acting_user=personas[Role.ORGANISME], annee=2013)
    with pytest.raises(ErreurDocument):
        exiger_calcul_valide(2014)


def test_rendu_en_un_seul_processus_identique(annee_validee, tmp_path):
    """The batch renders on every core; a single process gives the same files (same texts), listed by name."""
    calcul = annee_validee["calcul"]
    etapes = []
    un = lot_ecrire(calcul, tmp_path / "un", date_emission=EMISSION, processus=1)
    deux = lot_ecrire(calcul, tmp_path / "deux", date_emission=EMISSION, processus=2,
                      progression=lambda faits, total: etapes.append((faits, total)))
    assert [c.name for c, _ in un.avis] == [c.name for c, _ in deux.avis] == sorted(c.name for c, _ in deux.avis)
    assert etapes == [(1, 3), (2, 3), (3, 3)]  # the progress bar moves once per notice, in any order of completion
    for (a, _), (b, _) in zip(un.avis, deux.avis, strict=True):
        assert _texte(a.read_bytes()) == _texte(b.read_bytes())


def test_commandes_notifier_et_bilan(annee_validee, tmp_path):
    sortie = io.StringIO()
    call_command("mutualisation", "notifier", "2013", "--output", str(tmp_path / "avis"), stdout=sortie)
    fichiers = sorted(p.name for p in (tmp_path / "avis").iterdir())
    assert len([f for f in fichiers if f.endswith(".pdf")]) == 3
    assert "echeancier-2013.csv" in fichiers and "echeancier-2013.xlsx" in fichiers
    assert "Avis 3/3" in sortie.getvalue() and "3 avis" in sortie.getvalue()
    call_command("mutualisation", "bilan", "2013", "--output", str(tmp_path / "bilan.pdf"), stdout=io.StringIO())
    assert "Bilan annuel de la mutualisation financière Hlm 2013" in _info((tmp_path / "bilan.pdf").read_bytes())
    with pytest.raises(CommandError, match="pas de calcul validé"):
        call_command("mutualisation", "bilan", "2014", "--output", str(tmp_path / "b.pdf"), stdout=io.StringIO())


def test_avis_d_un_solde_nul(annee_validee):
    resultat = _resultat(annee_validee, "oph")
    resultat.sens, resultat.solde = Sens.NUL, Decimal("0.00")  # in memory only: the validated line is frozen
    texte = _texte(avis.avis_pdf(resultat, _contexte(annee_validee)))
    assert "Avis de mutualisation (solde nul)" in texte and "aucun versement ni appel de fonds" in texte
