"""Jeu de démonstration réaliste de la mutualisation : les fichiers de formats.md, comme l'équipe USH les reçoit.

Pur Python, sans ORM ni réglages Django : `generer_fichiers(dossier, seed)` écrit organismes, bases, prêts CDC et
restructurations (séparateur `;`, décimales à la française, dates 17/05/2013, un XLSX, un CSV avec BOM), octet pour
octet identiques pour une même graine. Montants en centimes entiers, jamais en float.

Calibration (docs/demo.md) : la production et la restructuration de chaque année sont tirées à des volumes fixés
(ACTIVITES), puis `calibrer` donne le montant de prêts PAM et Éco-prêt qui porte les aides de l'année à la cible ;
2013 tombe ainsi sur la première mutualisation réelle, 223,5 M€.
"""

from .fichiers import ENTETES, ecrire_fichiers, generer_fichiers, nombre_lignes
from .generateur import generer_jeu
from .jeu import (
    ACTIVITES,
    CIBLE_2013,
    EFFECTIFS_HLM,
    EFFECTIFS_NON_HLM,
    EFFECTIFS_OUTRE_MER,
    Activite,
    Calibrage,
    JeuDemo,
    calibrer,
)
from .referentiel import siren_avec_cle

__all__ = [
    "ACTIVITES",
    "CIBLE_2013",
    "EFFECTIFS_HLM",
    "EFFECTIFS_NON_HLM",
    "EFFECTIFS_OUTRE_MER",
    "ENTETES",
    "Activite",
    "Calibrage",
    "JeuDemo",
    "calibrer",
    "ecrire_fichiers",
    "generer_fichiers",
    "generer_jeu",
    "nombre_lignes",
    "siren_avec_cle",
]
