"""Audit rows read from the pghistory event tables: a year's or an organism's audited changes, newest first."""

from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db.models import Q

from mutualisation.models import (
    Ajustement,
    ApprobationCalcul,
    Bareme,
    BaseAnnuelle,
    Calcul,
    Campagne,
    Pret,
    ReouvertureCampagne,
    Restructuration,
    ResultatOrganisme,
    ValidationCalcul,
)

# --- Audit rows (pghistory event tables, docs/audit.md) ------------------------------------------------------------

ACTIONS_AUDIT = {"creation": "création", "modification": "modification", "suppression": "suppression"}
CHAMPS_IGNORES = {"updated_at"}


@dataclass(frozen=True)
class LigneAudit:
    """One audited change: when, which row, what (before → after; only the changed fields for a modification),
    who, and from where (a page's path, a task's name, a command line)."""

    horodatage: datetime
    table: str
    objet: str
    action: str
    avant: dict
    apres: dict
    contexte: dict
    modele: type | None = field(default=None, compare=False, repr=False)  # the tracked model: labels, choices

    @property
    def auteur(self) -> str:
        return self.contexte.get("utilisateur") or ""

    @property
    def source(self) -> str:
        return self.contexte.get("source") or ""

    @property
    def origine(self) -> str:
        return self.contexte.get("page") or self.contexte.get("tache") or self.contexte.get("commande") or ""


def _modele_evenement(modele):
    return apps.get_model(modele._meta.app_label, f"{modele.__name__}Event")


def _donnees(ligne: dict) -> dict:
    return {cle: valeur for cle, valeur in ligne.items() if not cle.startswith("pgh_") and cle not in CHAMPS_IGNORES}


def _lignes_audit(modele, filtre: Q) -> list[LigneAudit]:
    """A tracked model's events, an update's two snapshots (before, after) folded into one line."""
    table = str(modele._meta.verbose_name)
    avants, lignes = {}, []
    for ligne in _modele_evenement(modele).objects.filter(filtre).order_by("pgh_id").values():
        objet, donnees = str(ligne["pgh_obj_id"]), _donnees(ligne)
        if ligne["pgh_label"] == "avant_modification":
            avants[objet] = donnees
            continue
        avant, apres = ({}, donnees) if ligne["pgh_label"] == "creation" else (donnees, {})
        if ligne["pgh_label"] == "modification":
            precedent = avants.pop(objet, {})
            avant = {cle: valeur for cle, valeur in precedent.items() if donnees.get(cle) != valeur}
            apres = {cle: donnees[cle] for cle in avant}
        lignes.append(LigneAudit(ligne["pgh_created_at"], table, objet, ACTIONS_AUDIT[ligne["pgh_label"]],
                                 avant, apres, ligne["pgh_context"] or {}, modele))
    return lignes


def _trier(lignes: list[LigneAudit]) -> list[LigneAudit]:
    return sorted(lignes, key=lambda ligne: ligne.horodatage, reverse=True)


def audit_de_la_campagne(annee: int) -> list[LigneAudit]:
    """Every audited change to a year: its campaign, barème, runs, approvals, validations and reopenings,
    adjustments, the validated run's results, and the year's bases, restructurings and loans. Newest first."""
    campagne = Campagne.objects.filter(annee=annee).first()
    campagne_id = campagne.pk if campagne else None
    calculs = list(Calcul.objects.filter(campagne_id=campagne_id).values_list("pk", flat=True))
    filtres = [
        (Campagne, Q(annee=annee)),
        (Bareme, Q(annee=annee)),
        (Calcul, Q(campagne_id=campagne_id)),
        (ApprobationCalcul, Q(calcul_id__in=calculs)),
        (ValidationCalcul, Q(campagne_id=campagne_id)),
        (ReouvertureCampagne, Q(campagne_id=campagne_id)),
        (Ajustement, Q(campagne_id=campagne_id)),
        (ResultatOrganisme, Q(calcul_id__in=calculs)),
        (BaseAnnuelle, Q(annee=annee)),
        (Restructuration, Q(annee=annee)),
        (Pret, Q(date_signature__year=annee)),
    ]
    return _trier([ligne for modele, filtre in filtres for ligne in _lignes_audit(modele, filtre)])


def audit_de_l_organisme(siren: str) -> list[LigneAudit]:
    """Every audited change to an organism's money: adjustments, results, bases, restructurings, loans."""
    modeles = (Ajustement, ResultatOrganisme, BaseAnnuelle, Restructuration, Pret)
    return _trier([ligne for modele in modeles for ligne in _lignes_audit(modele, Q(organisme_id=siren))])
