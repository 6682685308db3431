"""French text report of import errors, for the command line and for logs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pacte.lecture.validation import Erreur, Resultat

LARGEUR_VALEUR = 30
TITRES = ("Ligne", "Colonne", "Valeur", "Motif")


def _affichable(valeur: str) -> str:
    """A raw value shown on one line: quoted so spaces show, cut when long, « (vide) » when empty."""
    if valeur == "":
        return "(vide)"
    texte = str(valeur).replace("\n", "⏎").replace("\t", "⇥")
    if len(texte) > LARGEUR_VALEUR:
        texte = texte[: LARGEUR_VALEUR - 1] + "…"
    return f"« {texte} »"


def formater_erreurs(erreurs: Sequence[Erreur], limite: int | None = None) -> str:
    """Aligned table « Ligne  Colonne  Valeur  Motif », one error a line; past `limite`, a count of the rest."""
    montrees = erreurs if limite is None else erreurs[:limite]
    rangees = [TITRES] + [(str(e.ligne), e.colonne, _affichable(e.valeur), e.motif) for e in montrees]
    largeurs = [max(len(r[i]) for r in rangees) for i in range(3)]
    texte = [
        f"{r[0]:>{largeurs[0]}}  {r[1]:<{largeurs[1]}}  {r[2]:<{largeurs[2]}}  {r[3]}".rstrip() for r in rangees
    ]
    reste = len(erreurs) - len(montrees)
    if reste:
        texte.append(f"… et {reste} autre{'s' if reste > 1 else ''} erreur{'s' if reste > 1 else ''}.")
    return "\n".join(texte)


def rapport_resultat(resultat: Resultat, limite: int | None = 200) -> str:
    """Summary line, ignored columns, then the error table when the file is refused."""
    parties = []
    if resultat.ok:
        parties.append(f"Fichier valide : {len(resultat.donnees)} ligne(s) de données.")
    else:
        lignes = len({e.ligne for e in resultat.erreurs})
        parties.append(
            f"Fichier refusé : {len(resultat.erreurs)} erreur(s) sur {lignes} ligne(s). "
            "Rien n'a été importé ; corrigez le fichier et importez-le de nouveau."
        )
    if resultat.colonnes_ignorees:
        parties.append("Colonnes ignorées : " + ", ".join(resultat.colonnes_ignorees) + ".")
    if not resultat.ok:
        parties.append(formater_erreurs(resultat.erreurs, limite))
    return "\n".join(parties)
