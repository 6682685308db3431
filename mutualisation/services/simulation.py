"""What-if simulation (docs/simulation.md): a barème variant, computed as a simulation run on the year's data.

A simulation never becomes validated (database check + approval trigger), never changes the campaign's status nor
the reference run: it only adds a ``Calcul`` with ``simulation=True`` and its own result rows.
"""

from decimal import Decimal

from django.db import transaction

from mutualisation import calculs, chargement
from mutualisation.models import BaremeVariante, Calcul
from mutualisation.services.campagne import ErreurCampagne, _campagne, bareme_obtenir, calcul_lancer
from pacte.services import evenement_enregistrer

PERMISSION = "mutualisation.simuler"


def _exiger_permission(acting_user) -> None:
    if acting_user is not None and not acting_user.has_perm(PERMISSION):
        raise ErreurCampagne("Seul un membre de la commission peut créer ou lancer une simulation.")


def _texte(valeur) -> str:
    return str(valeur)


def variante_creer(*, acting_user, annee: int, nom: str, valeurs: dict[str, Decimal | int]) -> BaremeVariante:
    """A copy of the year's barème with ``valeurs`` changed (rates as fractions), checked like the barème itself
    (``calculs.Bareme.erreurs``). The year's barème is read, never written; a frozen year is fine."""
    _exiger_permission(acting_user)
    nom = (nom or "").strip()
    if not nom:
        raise ErreurCampagne("Donnez un nom à la variante.")
    inconnus = set(valeurs) - set(chargement.CHAMPS_BAREME) | ({"annee"} & set(valeurs))
    if inconnus:
        raise ErreurCampagne(f"Champ(s) du barème inconnu(s) : {', '.join(sorted(inconnus))}.")
    reference = chargement.bareme_entree(bareme_obtenir(annee=annee, acting_user=acting_user))
    complet = {nom_champ: getattr(reference, nom_champ) for nom_champ in chargement.CHAMPS_BAREME} | valeurs
    try:
        variante = calculs.Bareme(**complet)
    except TypeError as erreur:  # pragma: no cover - unknown fields are refused above
        raise ErreurCampagne(str(erreur)) from None
    if erreurs := variante.erreurs():
        raise ErreurCampagne(" ".join(erreurs))
    modifications = {
        champ: [_texte(getattr(reference, champ)), _texte(valeur)]
        for champ, valeur in complet.items() if valeur != getattr(reference, champ)
    }
    with transaction.atomic():
        campagne = _campagne(annee)
        auteur = acting_user if acting_user is not None and acting_user.is_authenticated else None
        objet = BaremeVariante.objects.create(
            campagne=campagne, nom=nom[:120], auteur=auteur, modifications=modifications,
            valeurs={champ: _texte(valeur) for champ, valeur in complet.items()},
        )
        evenement_enregistrer(acting_user=acting_user, action="variante_creer", objet=str(annee),
                              details={"variante": objet.pk, "nom": objet.nom, "modifications": modifications})
    return objet


def simulation_lancer(*, acting_user, variante_id: int, sur_le_worker: bool = True) -> Calcul:
    """A simulation run of the variant on the year's current data, on the worker (``calcul_executer``)."""
    _exiger_permission(acting_user)
    variante = BaremeVariante.objects.select_related("campagne").filter(pk=variante_id).first()
    if variante is None:
        raise ErreurCampagne(f"Variante n° {variante_id} inconnue.")
    return calcul_lancer(acting_user=acting_user, annee=variante.campagne.annee, simulation=True,
                         sur_le_worker=sur_le_worker, variante=variante)
