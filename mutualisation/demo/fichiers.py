"""Écriture du jeu de démonstration aux formats de formats.md, avec les manières d'un fichier de l'équipe USH."""

import csv
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .generateur import generer_jeu
from .jeu import BaseDemo, JeuDemo

ENTETES = {
    "organismes": ("siren", "raison_sociale", "famille", "code_region", "metropole"),
    "bases": ("siren", "annee", "patrimoine_locatif", "loyers", "logements", "cotisation_cglls", "plan_cglls"),
    "prets": ("numero_pret", "numero_operation", "siren", "produit", "date_signature", "montant", "nb_logements",
              "zone", "code_commune"),
    "restructurations": ("siren", "annee", "nb_logements", "zone_detendue", "code_commune", "reference"),
}


def generer_fichiers(dossier: Path, seed: int, annees=(2013, 2014, 2015)) -> dict[str, Path]:
    """Écrit le jeu de la graine dans `dossier` ; rend {nom: chemin} dans l'ordre d'import (organismes, bases,
    prêts, restructurations). Les bases de la première année ont des milliers en espace insécable, celles de la
    deuxième sont un classeur XLSX, les suivantes « 1234,56 » ; les prêts « 1234.56 » ; organismes avec BOM."""
    return ecrire_fichiers(generer_jeu(seed, annees), Path(dossier))


def ecrire_fichiers(jeu: JeuDemo, dossier: Path) -> dict[str, Path]:
    dossier.mkdir(parents=True, exist_ok=True)
    fichiers = {"organismes": _csv(dossier / "organismes.csv", "organismes", _lignes_organismes(jeu), bom=True)}
    for rang, annee in enumerate(jeu.annees):
        bases = [o.bases[annee] for o in sorted(jeu.organismes, key=lambda o: o.siren) if annee in o.bases]
        if rang == 1:
            fichiers[f"bases_{annee}"] = _xlsx(dossier / f"bases_{annee}.xlsx", bases)
        else:
            montant = (lambda c: _montant_francais(c, "\u00a0")) if rang == 0 else _montant_francais
            lignes = [(b.siren, b.annee, b.patrimoine_locatif, montant(b.loyers), b.logements,
                       montant(b.cotisation_cglls), "" if rang == 0 and b.plan_cglls == "AUCUN" else b.plan_cglls)
                      for b in bases]
            fichiers[f"bases_{annee}"] = _csv(dossier / f"bases_{annee}.csv", "bases", lignes)
    fichiers["prets"] = _csv(dossier / "prets.csv", "prets", (
        (p.numero_pret, p.numero_operation, p.siren, p.produit, p.date_signature.strftime("%d/%m/%Y"),
         f"{p.montant // 100}.{p.montant % 100:02d}", p.nb_logements, p.zone, p.code_commune) for p in jeu.prets))
    for annee in jeu.annees:
        fichiers[f"restructurations_{annee}"] = _csv(dossier / f"restructurations_{annee}.csv", "restructurations", (
            (r.siren, r.annee, r.nb_logements, "oui" if r.zone_detendue else "non", r.code_commune, r.reference)
            for r in jeu.restructurations[annee]))
    return fichiers


def nombre_lignes(jeu: JeuDemo) -> dict[str, int]:
    """Lignes de données (sans l'en-tête) de chaque fichier, sous les noms que rend `ecrire_fichiers`."""
    compte = {"organismes": len(jeu.organismes)}
    compte |= {f"bases_{a}": sum(a in o.bases for o in jeu.organismes) for a in jeu.annees}
    compte["prets"] = len(jeu.prets)
    return compte | {f"restructurations_{a}": len(jeu.restructurations[a]) for a in jeu.annees}


def _lignes_organismes(jeu: JeuDemo):
    return ((o.siren, o.raison_sociale, o.famille, o.code_region, "oui" if o.metropole else "non")
            for o in jeu.organismes)


def _montant_francais(centimes: int, milliers: str = "") -> str:
    return f"{centimes // 100:,}".replace(",", milliers) + f",{centimes % 100:02d}"


def _csv(chemin: Path, type_fichier: str, lignes, *, bom: bool = False) -> Path:
    with chemin.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fichier:
        ecrivain = csv.writer(fichier, delimiter=";", lineterminator="\r\n")
        ecrivain.writerow(ENTETES[type_fichier])
        ecrivain.writerows(lignes)
    return chemin


def _xlsx(chemin: Path, bases: list[BaseDemo]) -> Path:
    """Un classeur comme un tableur l'enregistre : montants en nombres au format « # ##0,00 », SIREN en texte."""
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(f"Bases {bases[0].annee}" if bases else "Bases")
    feuille.append(ENTETES["bases"])
    for b in bases:
        ligne = [b.siren, b.annee, b.patrimoine_locatif, Decimal(b.loyers).scaleb(-2), b.logements,
                 Decimal(b.cotisation_cglls).scaleb(-2), b.plan_cglls]
        cellules = [WriteOnlyCell(feuille, value=valeur) for valeur in ligne]
        for cellule in (cellules[3], cellules[5]):
            cellule.number_format = "#,##0.00"
        feuille.append(cellules)
    tampon = io.BytesIO()
    classeur.save(tampon)
    chemin.write_bytes(_zip_reproductible(tampon.getvalue()))
    return chemin


def _zip_reproductible(contenu: bytes) -> bytes:
    """openpyxl date le classeur et ses entrées du moment de l'écriture : on fige les deux (mêmes octets)."""
    sortie = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(contenu)) as source, zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible:
        for info in source.infolist():
            donnees = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                donnees = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2016-01-29T09:00:00Z", donnees)
            cible.writestr(zipfile.ZipInfo(info.filename, date_time=(2016, 1, 29, 9, 0, 0)), donnees,
                           compress_type=zipfile.ZIP_DEFLATED)
    return sortie.getvalue()
