"""The streaming XLSX reader (pacte.lecture.xlsx) gives what the former openpyxl path gave, cell for cell.

`ancien` below is that former path, kept as the reference: openpyxl's read-only iter_rows(values_only=True), each
value through _texte_cellule, rows assembled as lire_morceaux did. Every test compares the new reader with it on
the same bytes: the same table (texts, columns, « ligne » index) or the same refusal.
"""

import datetime as dt
import io
import random
import re
import warnings
import zipfile
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from pacte.lecture import ErreurLecture, lire_fichier
from pacte.lecture import fichier as module_fichier
from pacte.lecture.xlsx import commun, gabarits, recours
from pacte.lecture.xlsx import rangees as module_rangees
from pacte.lecture.xlsx.cellules import NOMBRE_SUR, Cellules, _cast_number, _texte_cellule, texte_nombre
from pacte.lecture.xlsx.morceaux import _erreur_classeur
from tests.pacte.test_lecture import classeur, remplacer_membre

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FEUILLE = "xl/worksheets/sheet1.xml"


# --- The reference: the former openpyxl path ----------------------------------------------------------------------


def ancien(contenu: bytes) -> pd.DataFrame | str:
    """The table the former reader gave, or the message of its refusal (production: openpyxl's warnings off)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            classeur_lu = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
            feuille = classeur_lu.worksheets[0]
            feuille.reset_dimensions()
            rangees = [[_texte_cellule(v) for v in r] for r in feuille.iter_rows(values_only=True)]
    except Exception as erreur:  # noqa: BLE001 - the former reader's own classification
        return str(_erreur_classeur(erreur))
    entete = rangees[0] if rangees else []
    while entete and entete[-1] == "":
        entete = entete[:-1]
    if not entete:
        return "La première feuille du classeur est vide."
    try:
        module_fichier._verifier_largeur(entete, 0)
    except ErreurLecture as erreur:
        return str(erreur)
    largeur = len(entete)
    lignes = [(n, tuple((r[:largeur] + [""] * largeur)[:largeur])) for n, r in enumerate(rangees[1:], start=2)
              if any(r[:largeur])]
    controles = [(n, t) for n, t in [(1, tuple(entete)), *lignes] if module_fichier.CONTROLES.search("\n".join(t))]
    if controles:
        return str(module_fichier._erreur_controles(controles, entete))
    tableau = pd.DataFrame([t for _, t in lignes], columns=range(largeur), dtype=str)
    return tableau.set_axis(entete, axis=1).set_axis(pd.Index([n for n, _ in lignes], name="ligne"), axis=0)


def nouveau(contenu: bytes) -> pd.DataFrame | str:
    try:
        return lire_fichier(contenu, "x.xlsx")
    except ErreurLecture as erreur:
        return str(erreur)


def comparer(contenu: bytes) -> pd.DataFrame | str:
    attendu, obtenu = ancien(contenu), nouveau(contenu)
    if isinstance(attendu, str):
        assert obtenu == attendu
    else:
        assert isinstance(obtenu, pd.DataFrame), obtenu
        assert obtenu.equals(attendu), (obtenu.to_dict("split"), attendu.to_dict("split"))
        assert list(obtenu.columns) == list(attendu.columns)
        assert obtenu.index.equals(attendu.index) and obtenu.index.name == "ligne"
        assert [str(t) for t in obtenu.dtypes] == [str(t) for t in attendu.dtypes]
    return obtenu


# --- Workbooks as Excel writes them: shared strings, no r on cells ---------------------------------------------


def en_chaines_partagees(contenu: bytes) -> bytes:
    """Every inline string of the first sheet moved to a shared strings part (rich runs kept), as Excel does."""
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        feuille = archive.read(FEUILLE).decode()
        manifeste = archive.read("[Content_Types].xml").decode()
    chaines: list[str] = []

    def partager(trouve: re.Match) -> str:
        chaines.append(trouve.group(3))
        return f'<c {trouve.group(1)}t="s"{trouve.group(2)}><v>{len(chaines) - 1}</v></c>'

    feuille = re.sub(r'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', partager, feuille, flags=re.S)
    table = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS}" count="{len(chaines)}" '
             f'uniqueCount="{len(chaines)}">' + "".join(f"<si>{c}</si>" for c in chaines) + "</sst>")
    manifeste = manifeste.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                  'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    contenu = remplacer_membre(contenu, FEUILLE, feuille.encode())
    contenu = remplacer_membre(contenu, "[Content_Types].xml", manifeste.encode())
    tampon = io.BytesIO(contenu)
    with zipfile.ZipFile(tampon, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", table)
    return tampon.getvalue()


def sans_references(contenu: bytes) -> bytes:
    """Cells without their r attribute (each then follows the previous one), as some generators write."""
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        feuille = archive.read(FEUILLE)
    return remplacer_membre(contenu, FEUILLE, re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", feuille))


texte = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters="\n\t"),
                max_size=12) | st.sampled_from(['a & b', '<x>', 'dit "oui"', "l'été", " espaces ", "ligne\nligne",
                                                "&amp;", "x005F_y", "]]", "=", "+33"])
riche = st.lists(st.tuples(st.booleans(), st.text("abc &<>\n", min_size=1, max_size=5)), min_size=1, max_size=3)
valeur = st.one_of(
    st.none(), texte,
    st.integers(-10**15, 10**15), st.integers(-10**20, 10**20),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False).map(float),
    st.booleans(),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)).map(  # noqa: DTZ001 - cells are naive
        lambda d: d.replace(microsecond=0)),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    riche,
)


def ecrire(lignes, *, ecriture_seule: bool, epoque_1904: bool, riches: bool) -> bytes:
    wb = openpyxl.Workbook(write_only=ecriture_seule)
    if epoque_1904:
        wb.epoch = CALENDAR_MAC_1904
    feuille = wb.create_sheet("données") if ecriture_seule else wb.active
    for ligne in lignes:
        feuille.append([_cellule(v, riches) for v in ligne])
    tampon = io.BytesIO()
    wb.save(tampon)
    return tampon.getvalue()


def _cellule(v, riches: bool):
    if isinstance(v, list):  # rich text runs (bold or not); plain text when rich text is not wanted
        if not riches:
            return "".join(t for _, t in v)
        return CellRichText([TextBlock(InlineFont(b=gras), t) for gras, t in v])
    if isinstance(v, str) and v.startswith("="):
        return "'" + v  # openpyxl would write a formula without a cached value
    return v


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    entete=st.lists(st.text("abcdé _", min_size=1, max_size=6), min_size=1, max_size=6),
    lignes=st.lists(st.lists(valeur, max_size=8), max_size=12),
    ecriture_seule=st.booleans(), epoque_1904=st.booleans(), partagees=st.booleans(), sans_r=st.booleans(),
    riches=st.booleans(), eparse=st.lists(st.integers(0, 40), max_size=3),
)
def test_propriete_meme_table_que_l_ancien_lecteur(entete, lignes, ecriture_seule, epoque_1904, partagees, sans_r,
                                                    riches, eparse):
    """Random workbooks (normal and write-only, shared or inline strings, numbers, dates, booleans, rich text,
    empty cells and sparse columns): the new reader gives the former openpyxl path's table exactly."""
    lignes = [ligne + [None] * n + ["loin"] for ligne, n in zip(lignes, eparse, strict=False)] + lignes[len(eparse):]
    contenu = ecrire([entete, *lignes], ecriture_seule=ecriture_seule, epoque_1904=epoque_1904,
                     riches=riches and not ecriture_seule)
    if partagees:
        contenu = en_chaines_partagees(contenu)
    if sans_r:
        contenu = sans_references(contenu)
    comparer(contenu)


# --- Numbers: the text without a float, when it is safe -----------------------------------------------------------


@given(st.from_regex(NOMBRE_SUR, fullmatch=True))
def test_propriete_nombre_sur_garde_son_texte(brut):
    """A number text NOMBRE_SUR accepts is what openpyxl's value gives back (int → str, float → texte_nombre)."""
    valeur = _cast_number(brut)
    attendu = str(valeur) if isinstance(valeur, int) else texte_nombre(valeur)
    assert brut == attendu


@given(st.one_of(st.decimals(allow_nan=False, allow_infinity=False), st.integers(-10**30, 10**30),
                 st.floats(allow_nan=False, allow_infinity=False)))
def test_propriete_nombres_ecrits_par_un_tableur(nombre):
    """Numbers written as Excel or openpyxl write them (repr, exponents, leading zeros): the reader's text is
    always _texte_cellule's of openpyxl's value, through the fast path or not."""
    brut = format(nombre, "f") if isinstance(nombre, Decimal) else repr(nombre)
    cellules = Cellules([], set(), set(), None, _texte_cellule)
    try:
        attendu = _texte_cellule(_cast_number(brut))
    except ValueError:
        return
    assert cellules.texte("", "n", brut, "", "") == attendu
    colonne = [brut, "", brut]
    assert gabarits._convertir(colonne, "", "n", cellules, False) == [attendu, "", attendu]


# --- Hand-written sheets: each compared with the former reader ----------------------------------------------------


def feuille(corps: str, *, dimension: str = "", prologue: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
            fin: str = "</worksheet>") -> bytes:
    return (f'{prologue}<worksheet xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships">{dimension}<sheetData>{corps}</sheetData>{fin}').encode()


def avec_feuille(xml: bytes, *, chaines: str | None = None, styles: bytes | None = None) -> bytes:
    contenu = classeur([["x"]])
    contenu = remplacer_membre(contenu, FEUILLE, xml)
    if styles is not None:
        contenu = remplacer_membre(contenu, "xl/styles.xml", styles)
    if chaines is not None:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            manifeste = archive.read("[Content_Types].xml")
        manifeste = manifeste.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                      b'application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings'
                                      b'+xml"/></Types>')
        contenu = remplacer_membre(contenu, "[Content_Types].xml", manifeste)
        tampon = io.BytesIO(contenu)
        with zipfile.ZipFile(tampon, "a") as archive:
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{NS}">{chaines}</sst>')
        contenu = tampon.getvalue()
    return contenu


def c(ref: str, contenu: str, t: str | None = None, s: str | None = None) -> str:
    attributs = (f' r="{ref}"' if ref else "") + (f' s="{s}"' if s else "") + (f' t="{t}"' if t else "")
    return f"<c{attributs}>{contenu}</c>"


def en_ligne(ref: str, texte: str) -> str:
    return c(ref, f"<is><t>{texte}</t></is>", "inlineStr")


ENTETE = '<row r="1">' + en_ligne("A1", "a") + en_ligne("B1", "b") + en_ligne("C1", "c") + "</row>"
CHAINES = ('<si><t>simple</t></si><si><t xml:space="preserve"> espacé </t></si><si><r><t>en</t></r><r><rPr><b/>'
           '</rPr><t xml:space="preserve"> gras</t></r><rPh sb="0" eb="1"><t>phonétique</t></rPh></si><si/>'
           "<si><t>a &amp; b &lt;c&gt; &#233;&#x20AC;&#10;</t></si><si><t>x005F_x000D_</t></si>")
STYLES = (f'<styleSheet xmlns="{NS}"><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
          '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/></numFmts><cellXfs count="5"><xf numFmtId="0"/>'
          '<xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="4"/></cellXfs>'
          "</styleSheet>").encode()

CAS = {
    "types": ENTETE + '<row r="2">' + c("A2", "<v>1</v>", "b") + c("B2", "<v>#DIV/0!</v>", "e")
    + c("C2", "<v>texte &amp; formule</v>", "str") + "</row>" + '<row r="3">'
    + c("A3", "<v>2013-05-17T14:30:00</v>", "d")
    + c("B3", "<v>2013-05-17</v>", "d") + c("C3", "<v>0</v>", "b") + "</row>",
    "formules": ENTETE + '<row r="2">' + c("A2", "<f>B2*2</f><v>4</v>") + c("B2", '<f t="shared" si="0"/><v>2</v>')
    + c("C2", "<f>A2</f>", "str") + "</row>",
    "nombres": ENTETE + '<row r="2">' + c("A2", "<v>1.0E-5</v>") + c("B2", "<v>0.30000000000000004</v>", "n")
    + c("C2", "<v>007</v>") + "</row>" + '<row r="3">' + c("A3", "<v>-0</v>") + c("B3", "<v>1e20</v>")
    + c("C3", "<v>123456789012345678</v>") + "</row>" + '<row r="4">' + c("A4", "<v>&#49;2</v>")
    + c("B4", "<v></v>") + c("C4", "<v>-12.50</v>") + "</row>",
    "chaines_partagees": ENTETE + '<row r="2">' + c("A2", "<v>0</v>", "s") + c("B2", "<v>1</v>", "s")
    + c("C2", "<v>2</v>", "s") + "</row>" + '<row r="3">' + c("A3", "<v>3</v>", "s") + c("B3", "<v>4</v>", "s")
    + c("C3", "<v>5</v>", "s") + "</row>" + '<row r="4">' + c("A4", "<v>-1</v>", "s") + "</row>",
    "en_ligne": ENTETE + '<row r="2">' + c("A2", '<is><t xml:space="preserve"> a\nb </t></is>', "inlineStr")
    + c("B2", "<is><r><t>un</t></r><r><rPr><i/></rPr><t>deux</t></r></is>", "inlineStr")
    + c("C2", "<v>ignorée</v>", "inlineStr") + "</row>" + '<row r="3">' + c("A3", "<is><t>a\r\nb\rc</t></is>",
                                                                          "inlineStr") + "</row>",
    "dates": ENTETE + '<row r="2">' + c("A2", "<v>41411</v>", s="1") + c("B2", "<v>41411.6041666667</v>", s="2")
    + c("C2", "<v>1.5</v>", s="3") + "</row>" + '<row r="3">' + c("A3", "<v>0.25</v>", s="1")
    + c("B3", "<v>1e300</v>", s="2") + c("C3", "<v>41411</v>", s="4") + "</row>",
    "cellules_absentes": ENTETE + '<row r="2">' + en_ligne("C2", "c seule") + "</row>" + '<row r="4">'
    + c("", "<v>1</v>") + c("", "<v>2</v>") + "</row>" + '<row r="5">' + en_ligne("B5", "b") + c("", "<v>3</v>")
    + "</row>" + '<row r="6">' + en_ligne("C6", "c") + en_ligne("A6", "a") + "</row>" + '<row r="7">'
    + en_ligne("A7", "1") + en_ligne("A7", "2") + "</row>",
    "rangees_desordonnees": ENTETE + '<row r="3">' + en_ligne("A3", "trois") + "</row>" + '<row r="2">'
    + en_ligne("A2", "deux") + "</row>" + '<row r="3">' + en_ligne("A3", "encore trois") + "</row>"
    + '<row r="5">' + en_ligne("A5", "cinq") + "</row><row>" + en_ligne("", "six, sans r") + "</row>",
    "rangees_vides": ENTETE + '<row r="2"/><row r="3"></row><row r="4">' + en_ligne("A4", "") + '</row><row r="9">'
    + en_ligne("D9", "au-delà de l'en-tête") + "</row>",
    "xfd": ENTETE + '<row r="2">' + en_ligne("A2", "a") + en_ligne("XFD2", "loin") + "</row>"
    + '<row r="1048576">' + en_ligne("XFD1048576", "isolée") + "</row>",
    "sans_entete": '<row r="2">' + en_ligne("A2", "a") + "</row>",
    "vide": "",
    "commentaire_et_cdata": ENTETE + "<!-- <row r=\"9\"><c><v>1</v></c></row> -->" + '<row r="2">'
    + c("A2", "<is><t><![CDATA[<pas une balise> & ]]></t></is>", "inlineStr") + "</row>",
    "instruction": ENTETE + '<?traitement x?><row r="2">' + en_ligne("A2", "a") + "</row>",
    "espaces_et_guillemets_simples": ENTETE + "\n  <row r='2' spans='1:3'>\n    <c r='A2' t='inlineStr'><is><t>a"
    "</t></is></c>\n    <c r=\"B2\" t=\"n\" s=\"0\">\n<v>2</v>\n</c>\n  </row>\n",
    "prefixes": ENTETE + '<x:row xmlns:x="' + NS + '" r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>préfixé</x:t>'
    "</x:is></x:c></x:row>",
    "attributs_dans_un_autre_ordre": ENTETE + '<row r="2" spans="1:3" ht="20" customHeight="1">'
    '<c t="inlineStr" r="A2"><is><t>t avant r</t></is></c><c r="B2" t="n" s="0" cm="1"><v>2</v></c>'
    '<c r="C2" s="0" t="inlineStr" ph="1"><is><t>ph</t></is></c></row>',
    "erreur_index_chaine": ENTETE + '<row r="2">' + c("A2", "<v>99</v>", "s") + "</row>",
    "erreur_nombre": ENTETE + '<row r="2">' + c("A2", "<v>douze</v>") + "</row>",
    "erreur_booleen": ENTETE + '<row r="2">' + c("A2", "<v>vrai</v>", "b") + "</row>",
    "caractere_de_controle": ENTETE + '<row r="2">' + en_ligne("A2", "bip&#x7f;") + "</row>",
    "reference_interdite": ENTETE + '<row r="2">' + en_ligne("A2", "nul &#0;") + "</row>",
    "entite_inconnue": ENTETE + '<row r="2">' + en_ligne("A2", "&eacute;") + "</row>",
}


@pytest.mark.parametrize("nom", list(CAS))
def test_feuille_ecrite_a_la_main_comme_l_ancien_lecteur(nom):
    comparer(avec_feuille(feuille(CAS[nom]), chaines=CHAINES, styles=STYLES))


def test_les_cas_a_la_main_couvrent_les_chemins():
    """The hand-written cases are read by the fast path or by openpyxl's parser, as intended."""
    lu = comparer(avec_feuille(feuille(CAS["chaines_partagees"]), chaines=CHAINES, styles=STYLES))
    assert lu.loc[3].tolist() == ["", "a & b <c> é€\n", "x000D_"]
    assert lu.loc[2].tolist() == ["simple", " espacé ", "en gras"]
    lu = comparer(avec_feuille(feuille(CAS["dates"]), chaines=CHAINES, styles=STYLES))
    assert lu.loc[2].tolist() == ["2013-05-17", "2013-05-17 14:30:00", "1 day, 12:00:00"]
    assert lu.loc[3].tolist() == ["06:00:00", "#VALUE!", "41411"]
    assert comparer(avec_feuille(feuille(CAS["rangees_desordonnees"]))).index.tolist() == [3, 5, 6]


def test_grand_classeur_reel_lu_par_le_chemin_rapide(monkeypatch):
    """A few thousand rows of several shapes (written as openpyxl and Excel write them, dates typed as dates) are
    read by shapes: neither openpyxl's row parser nor the row-by-row path (but for the header) is used, and the
    table is the former reader's."""
    hasard = random.Random(8)
    lignes = [["siren", "montant", "date", "zone", "n", "signature"]] + [
        [f"{hasard.randrange(10**9):09d}", hasard.randrange(10**8) / 100, "2013-05-17",
         hasard.choice(["1", "1bis", None]), hasard.choice([1, None, 2.5, True]),
         hasard.choice([dt.date(2013, 1, 1) + dt.timedelta(days=hasard.randrange(900)), None,
                        dt.datetime(2014, 2, 3, 4, 5, 6)])]  # noqa: DTZ001 - cells are naive
        for _ in range(3_000)]
    contenu = classeur(lignes)
    for variante in (contenu, en_chaines_partagees(contenu), sans_references(contenu)):
        lectures_par_rangee = []
        with monkeypatch.context() as m:
            m.setattr(recours, "_rangees_openpyxl", _interdit)
            m.setattr(module_rangees, "_lire_morceau", _compte(module_rangees._lire_morceau, lectures_par_rangee))
            lu = nouveau(variante)
        assert isinstance(lu, pd.DataFrame) and lu.equals(ancien(variante))
        assert len(lectures_par_rangee) == 1  # the header
        assert "2014-02-03 04:05:06" in set(lu["signature"])


def _interdit(*args):
    raise AssertionError("openpyxl's row parser used")


def _compte(fonction, appels: list):
    def comptee(*args):
        appels.append(args)
        return fonction(*args)
    return comptee


def test_la_premiere_feuille_est_celle_du_classeur():
    """The first sheet of workbook.xml, wherever its part is: here xl/worksheets/sheet2.xml."""
    contenu = classeur([["premiere"], ["1"]], feuilles_en_plus=1)
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        relations = archive.read("xl/_rels/workbook.xml.rels")
    relations = relations.replace(b"sheet1.xml", b"TEMP").replace(b"sheet2.xml", b"sheet1.xml")
    contenu = remplacer_membre(contenu, "xl/_rels/workbook.xml.rels", relations.replace(b"TEMP", b"sheet2.xml"))
    assert list(comparer(contenu).columns) == ["autre"]


def test_dimension_mensongere_et_cellule_isolee_en_xfd():
    """A sheet declaring A1:XFD1048576 and a cell at XFD1048576: no grid, the same few rows."""
    xml = feuille(CAS["xfd"], dimension='<dimension ref="A1:XFD1048576"/>')
    lu = comparer(avec_feuille(xml))
    assert lu.index.tolist() == [2] and lu.shape == (1, 3)
    entete_large = feuille('<row r="1">' + en_ligne("A1", "a") + en_ligne("XFD1", "z") + "</row>")
    assert "16384 colonnes" in comparer(avec_feuille(entete_large))


@pytest.mark.parametrize("lent", [False, True])
def test_rangee_demesuree_refusee_en_memoire_bornee(monkeypatch, lent):
    """One row larger than RANGEE_MAX is refused, by the fast path as by openpyxl's parser (which would build its
    tree whole); the bound is lowered here so that the row stays small."""
    monkeypatch.setattr(commun, "RANGEE_MAX", 200_000)
    monkeypatch.setattr(commun, "BLOC", 16 * 1024)
    hasard = random.Random(3)
    enorme = "".join(hasard.choice("abcdefghij") for _ in range(300_000))
    corps = ENTETE + ("<?pi?>" if lent else "") + '<row r="2">' + en_ligne("A2", enorme) + "</row>"
    with pytest.raises(ErreurLecture, match=r"une rangée de la feuille dépasse 195 Kio|dépasse 200000 octets"):
        lire_fichier(avec_feuille(feuille(corps)), "x.xlsx")


def test_rangee_de_50_mo_refusee_sans_tout_lire():
    hasard = random.Random(4)
    bloc = "".join(hasard.choice("abcdefghijklmnop") for _ in range(1024 * 1024))
    corps = ENTETE + '<row r="2">' + en_ligne("A2", bloc * 50) + "</row>"
    with pytest.raises(ErreurLecture, match="une rangée de la feuille dépasse 16 Mo"):
        lire_fichier(avec_feuille(feuille(corps)), "x.xlsx")


@pytest.mark.parametrize(
    ("membre", "xml"),
    [(FEUILLE, feuille(ENTETE, prologue='<?xml version="1.0"?><!DOCTYPE worksheet>')),
     (FEUILLE, feuille(ENTETE, prologue='<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e "x">]>')),
     ("xl/sharedStrings.xml", f'<!DOCTYPE sst [<!ENTITY e SYSTEM "file:///etc/passwd">]><sst xmlns="{NS}">'
      "<si><t>&e;</t></si></sst>".encode())],
)
def test_dtd_refusee_dans_les_parties_lues(membre, xml):
    contenu = avec_feuille(feuille(ENTETE + '<row r="2">' + c("A2", "<v>0</v>", "s") + "</row>"), chaines=CHAINES)
    with pytest.raises(ErreurLecture, match="XML interdit"):
        lire_fichier(remplacer_membre(contenu, membre, xml), "x.xlsx")


@pytest.mark.parametrize(
    "xml",
    [feuille(ENTETE + '<row r="2">' + en_ligne("A2", "a") + "</row>", fin=""),  # no </worksheet>
     feuille(ENTETE + '<row r="2">' + en_ligne("A2", "a"), fin=""),  # cut inside a row
     feuille(ENTETE + '<row r="2">' + en_ligne("A2", "a") + "</row>")[:-40]],
)
def test_feuille_tronquee(xml):
    assert comparer(avec_feuille(xml)).startswith("Classeur XLSX illisible ou endommagé")


def test_membres_manquants():
    contenu = classeur([["a"], ["1"]])
    sans_feuille = remplacer_membre(contenu, "xl/_rels/workbook.xml.rels", _lire(contenu, "xl/_rels/workbook.xml"
                                                                                  ".rels").replace(b"sheet1", b"x"))
    assert comparer(sans_feuille) == "Classeur XLSX illisible ou endommagé (IndexError)."
    chaines_absentes = avec_feuille(feuille(ENTETE), chaines="")
    chaines_absentes = _sans_membre(chaines_absentes, "xl/sharedStrings.xml")
    assert comparer(chaines_absentes) == "Classeur XLSX illisible ou endommagé (KeyError)."
    comparer(_sans_membre(contenu, "xl/styles.xml"))  # no styles: no date, read all the same


def _lire(contenu: bytes, nom: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        return archive.read(nom)


def _sans_membre(contenu: bytes, nom: str) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(contenu)) as source, zipfile.ZipFile(tampon, "w") as cible:
        for membre in source.infolist():
            if membre.filename != nom:
                cible.writestr(membre.filename, source.read(membre))
    return tampon.getvalue()


def test_morceaux_bornes_et_controles_comme_avant(monkeypatch):
    """Pieces cut at `lignes`, the bounds reached at the same line, control characters refused per piece."""
    lignes = [["a", "b"]] + [[str(i), f"v{i}"] for i in range(1, 2_500)]
    contenu = classeur(lignes)
    morceaux = list(module_fichier.lire_morceaux(contenu, "x.xlsx", lignes=1_000))
    assert [len(m) for m in morceaux] == [1_000, 1_000, 499]
    assert pd.concat(morceaux).equals(ancien(contenu))
    monkeypatch.setattr(module_fichier, "CELLULES_MAX", 2_001)
    with pytest.raises(ErreurLecture, match=r"\(atteint ligne 1002\)"):
        lire_fichier(contenu, "x.xlsx")
    monkeypatch.undo()
    controle = remplacer_membre(contenu, FEUILLE, _lire(contenu, FEUILLE).replace(b"v1500<", b"v&#x85;<"))
    morceaux = module_fichier.lire_morceaux(controle, "x.xlsx", lignes=1_000)
    assert len(next(morceaux)) == 1_000
    with pytest.raises(ErreurLecture, match=r"Caractères de contrôle interdits dans 1 cellule\(s\) sur 1 ligne\(s\)"
                                            r".*ligne 1501 \(b\)"):
        next(morceaux)
