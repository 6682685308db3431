"""Reading and validation of imported files, shared by every importer. Pure: no ORM, no Django.

    df = lire_fichier(contenu, "prets.csv")          # DataFrame of str, index = line number, or ErreurLecture
    resultat = valider(df, PRETS)                     # every error, typed data, ignored columns
    if not resultat.ok:
        print(resultat.rapport())                     # French table: ligne, colonne, valeur, motif
    resultat.donnees                                  # typed DataFrame, ready for COPY
    resultat.lignes()                                 # dicts of Decimal/date/int…, for small files
"""

from pacte.lecture.declarations import (
    AGREMENTS,
    BASES,
    FORMATS,
    OBJECTIFS,
    ORGANISMES,
    PRETS,
    REHABILITATIONS,
    RESTRUCTURATIONS,
)
from pacte.lecture.fichier import ErreurLecture, lire_fichier
from pacte.lecture.rapport import formater_erreurs
from pacte.lecture.valeurs import (
    Annee,
    Booleen,
    Choix,
    CodeCommune,
    Date,
    Entier,
    Montant,
    Siren,
    Texte,
    TypeValeur,
    centimes,
    code_departement,
    code_region,
)
from pacte.lecture.validation import (
    Colonne,
    Erreur,
    Format,
    Regle,
    Resultat,
    normaliser_entete,
    valeur_connue,
    valider,
)

__all__ = [
    "AGREMENTS", "BASES", "FORMATS", "OBJECTIFS", "ORGANISMES", "PRETS", "REHABILITATIONS", "RESTRUCTURATIONS",
    "Annee", "Booleen", "Choix", "CodeCommune", "Colonne", "Date", "Entier", "Erreur", "ErreurLecture", "Format",
    "Montant", "Regle", "Resultat", "Siren", "Texte", "TypeValeur", "centimes", "code_departement", "code_region",
    "formater_erreurs", "lire_fichier", "normaliser_entete", "valeur_connue", "valider",
]
