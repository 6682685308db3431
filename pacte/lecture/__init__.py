"""Reading and validation of imported files, shared by every importer. Pure: no ORM, no Django.

    df = lire_fichier(contenu, "prets.csv")          # DataFrame of str, index = line number, or ErreurLecture
    resultat = valider(df, PRETS)                     # every error, typed data, ignored columns
    if not resultat.ok:
        print(resultat.rapport())                     # French table: ligne, colonne, valeur, motif
    resultat.donnees                                  # typed DataFrame, ready for COPY
    resultat.lignes()                                 # dicts of Decimal/date/int…, for small files

A big file, in constant memory: each piece's typed lines go to `traiter` (the import writes them as COPY text):

    bilan = valider_morceaux(lire_morceaux(contenu, "prets.csv"), PRETS, traiter)   # errors, counts, preview
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
from pacte.lecture.fichier import ErreurLecture, lire_fichier, lire_morceaux
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
    ResultatMorceaux,
    normaliser_entete,
    valeur_connue,
    valider,
    valider_morceaux,
)

__all__ = [
    "AGREMENTS", "BASES", "FORMATS", "OBJECTIFS", "ORGANISMES", "PRETS", "REHABILITATIONS", "RESTRUCTURATIONS",
    "Annee", "Booleen", "Choix", "CodeCommune", "Colonne", "Date", "Entier", "Erreur", "ErreurLecture", "Format",
    "Montant", "Regle", "Resultat", "Siren", "Texte", "TypeValeur", "centimes", "code_departement", "code_region",
    "ResultatMorceaux", "formater_erreurs", "lire_fichier", "lire_morceaux", "normaliser_entete", "valeur_connue",
    "valider", "valider_morceaux",
]
