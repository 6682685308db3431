"""Writes of the committee's work: commitment updates, meetings, blocking points (with their history), good
practices, regional diagnostics (scope-checked) and the annual report."""

import hashlib
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from pacte.enums import StatutEngagement, StatutTravail
from pacte.models import Engagement, Region
from pacte.services import evenement_enregistrer, travail_creer
from suivi import selectors_comite
from suivi.models import (
    BonnePratique,
    DiagnosticRegional,
    HistoriqueBlocage,
    MiseAJourEngagement,
    PointDeBlocage,
    RapportAnnuel,
    Reunion,
)

CHAMPS_REUNION = ("date", "niveau", "region", "institutions", "ordre_du_jour", "compte_rendu", "decisions")
CHAMPS_BLOCAGE = ("region", "theme", "titre", "description", "solution_proposee", "responsable", "statut", "reunion")
CHAMPS_PRATIQUE = ("titre", "description", "theme", "region", "organisme")
# The sections Annexe 5 asks each shared diagnostic to cover (domain.md §4).
SECTIONS_DIAGNOSTIC = ("coherence_politiques", "disponibilite_fonciere", "montage_financier", "capacite_btp",
                       "impact_sru", "besoins_typologie")
CHAMPS_DIAGNOSTIC = (*SECTIONS_DIAGNOSTIC, "statut")


def _exiger(acting_user, permission: str) -> None:
    """Commands and the demo act as the system (no user); a person must hold the permission."""
    if acting_user is not None and not acting_user.has_perm(permission):
        raise PermissionDenied(f"Permission requise : {permission}")


def _affecter(objet, champs: dict, autorises: tuple[str, ...]) -> None:
    inconnus = set(champs) - set(autorises)
    if inconnus:
        raise ValueError(f"Champs inconnus : {', '.join(sorted(inconnus))}")
    for nom, valeur in champs.items():
        setattr(objet, nom, valeur)
    objet.full_clean()


# --- Commitments -----------------------------------------------------------------------------------------------------


def engagement_mettre_a_jour(
    *, acting_user, engagement: Engagement, date: date, statut: str, commentaire: str, preuve: str = ""
) -> MiseAJourEngagement:
    """Record a dated update with its evidence; the commitment takes the status of its latest-dated update."""
    _exiger(acting_user, "pacte.modifier_statut_engagement")
    if statut not in StatutEngagement.values:
        raise ValidationError({"statut": f"Statut inconnu : {statut}"})
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
        mise_a_jour = MiseAJourEngagement(engagement=engagement, date=date, statut=statut, commentaire=commentaire,
                                          preuve=preuve, auteur=_personne(acting_user))
        mise_a_jour.full_clean(exclude=["auteur"])  # null when the system writes (command line, demo)
        mise_a_jour.save()
        derniere = engagement.mises_a_jour.order_by("-date", "-id").first()
        ancien = engagement.statut
        if derniere.statut != ancien:
            engagement.statut = derniere.statut
            engagement.save(update_fields=["statut", "updated_at"])
        evenement_enregistrer(acting_user=acting_user, action="engagement_mettre_a_jour", objet=engagement.code,
                              details={"date": date.isoformat(), "statut": statut, "statut_avant": ancien,
                                       "statut_apres": engagement.statut, "preuve": preuve})
    return mise_a_jour


# --- Meetings --------------------------------------------------------------------------------------------------------


def reunion_enregistrer(*, acting_user, reunion: Reunion | None = None, **champs) -> Reunion:
    """Create or edit a meeting of the committee (national, or regional with its region)."""
    _exiger(acting_user, selectors_comite.PERMISSION_COMITE)
    creation = reunion is None
    reunion = reunion or Reunion()
    with transaction.atomic():
        _affecter(reunion, champs, CHAMPS_REUNION)
        reunion.save()
        evenement_enregistrer(acting_user=acting_user, action="reunion_creer" if creation else "reunion_modifier",
                              objet=str(reunion), details={"reunion": reunion.pk, "champs": sorted(champs)})
    return reunion


# --- Blocking points -------------------------------------------------------------------------------------------------


def _valeur_affichee(point: PointDeBlocage, nom: str) -> str:
    valeur = getattr(point, nom)
    if nom == "region":
        return str(valeur) if valeur else "National"
    if nom in ("theme", "statut"):
        return getattr(point, f"get_{nom}_display")()
    return "" if valeur is None else str(valeur)


def point_de_blocage_enregistrer(
    *, acting_user, point: PointDeBlocage | None = None, commentaire: str = "", **champs
) -> PointDeBlocage:
    """Create or edit a blocking point; each change is kept in its history (fields before → after, who, when).

    The point is read again, locked, from the database: a form may already have changed the instance it was given.
    """
    with transaction.atomic():
        creation = point is None
        point = PointDeBlocage() if creation else PointDeBlocage.objects.select_for_update().get(pk=point.pk)
        avant = {} if creation else {nom: _valeur_affichee(point, nom) for nom in CHAMPS_BLOCAGE}
        regions = set() if creation else {point.region}  # nobody moves another region's point into their own
        _affecter(point, champs, CHAMPS_BLOCAGE)
        regions.add(point.region)
        if acting_user is not None and not all(selectors_comite.peut_modifier_blocage(acting_user, r)
                                               for r in regions):
            raise PermissionDenied("Ce point de blocage n'est pas dans votre périmètre.")
        point.save()
        apres = {nom: _valeur_affichee(point, nom) for nom in CHAMPS_BLOCAGE}
        changements = {} if creation else {nom: [avant[nom], apres[nom]] for nom in apres if avant[nom] != apres[nom]}
        if creation or changements or commentaire:
            HistoriqueBlocage.objects.create(
                point=point, auteur=_personne(acting_user), statut=point.statut, changements=changements,
                commentaire=commentaire or ("Point de blocage enregistré." if creation else ""),
            )
        evenement_enregistrer(acting_user=acting_user, action="blocage_creer" if creation else "blocage_modifier",
                              objet=point.titre[:120], details={"point": point.pk, "changements": sorted(changements)})
    return point


# --- Good practices --------------------------------------------------------------------------------------------------


def bonne_pratique_enregistrer(*, acting_user, pratique: BonnePratique | None = None, **champs) -> BonnePratique:
    _exiger(acting_user, selectors_comite.PERMISSION_COMITE)
    creation = pratique is None
    pratique = pratique or BonnePratique()
    with transaction.atomic():
        _affecter(pratique, champs, CHAMPS_PRATIQUE)
        pratique.save()
        evenement_enregistrer(acting_user=acting_user,
                              action="bonne_pratique_creer" if creation else "bonne_pratique_modifier",
                              objet=pratique.titre[:120], details={"bonne_pratique": pratique.pk})
    return pratique


# --- Regional diagnostics --------------------------------------------------------------------------------------------


def diagnostic_enregistrer(*, acting_user, region: Region, annee: int, **champs) -> DiagnosticRegional:
    """Create or edit a region's shared diagnostic of a year; a referent may only edit its own region's."""
    if acting_user is not None and not selectors_comite.peut_modifier_diagnostic(acting_user, region):
        raise PermissionDenied(f"Le diagnostic de la région {region} n'est pas dans votre périmètre.")
    if annee not in selectors_comite.ANNEES_PACTE:
        raise ValidationError({"annee": f"Le pacte couvre les années 2013 à 2015, pas {annee}."})
    with transaction.atomic():
        diagnostic, creation = DiagnosticRegional.objects.select_for_update().get_or_create(region=region,
                                                                                           annee=annee)
        _affecter(diagnostic, champs, CHAMPS_DIAGNOSTIC)
        diagnostic.save()
        evenement_enregistrer(acting_user=acting_user, action="diagnostic_enregistrer", objet=str(diagnostic),
                              details={"region": region.pk, "annee": annee, "creation": creation,
                                       "champs": sorted(champs)})
    return diagnostic


# --- Annual report ---------------------------------------------------------------------------------------------------


def rapport_annuel_demander(*, acting_user, annee: int) -> RapportAnnuel:
    """Record a report to produce and send its production to the worker once the transaction commits."""
    _exiger(acting_user, "suivi.produire_rapport")
    _verifier_annee(annee)
    with transaction.atomic():
        rapport = RapportAnnuel.objects.create(annee=annee, cree_par=_personne(acting_user))
        rapport.travail = travail_creer(nature="rapport_annuel", parametres={"rapport_id": rapport.pk},
                                        acting_user=acting_user)
        rapport.save(update_fields=["travail", "updated_at"])
        evenement_enregistrer(acting_user=acting_user, action="rapport_annuel_demander", objet=str(rapport),
                              details={"annee": annee, "rapport": rapport.pk})
    return rapport


def rapport_annuel_generer(*, acting_user, annee: int) -> RapportAnnuel:
    """The same production, in this process (command line)."""
    _exiger(acting_user, "suivi.produire_rapport")
    _verifier_annee(annee)
    with transaction.atomic():
        rapport = RapportAnnuel.objects.create(annee=annee, cree_par=_personne(acting_user))
        evenement_enregistrer(acting_user=acting_user, action="rapport_annuel_demander", objet=str(rapport),
                              details={"annee": annee, "rapport": rapport.pk, "ligne_de_commande": True})
    return rapport_annuel_produire(rapport_id=rapport.pk)


def rapport_annuel_produire(*, rapport_id: int) -> RapportAnnuel:
    """Take the dated snapshot of the year's data, store it, then render the PDF from the stored snapshot."""
    from suivi.rapport import instantane, rendre_pdf

    RapportAnnuel.objects.filter(pk=rapport_id).update(statut=StatutTravail.EN_COURS, updated_at=timezone.now())
    try:
        rapport = RapportAnnuel.objects.get(pk=rapport_id)
        rapport.donnees = instantane(rapport.annee)
        rapport.date_donnees = datetime.fromisoformat(rapport.donnees["date_donnees"])
        rapport.save(update_fields=["donnees", "date_donnees", "updated_at"])
        rapport.refresh_from_db(fields=["donnees"])  # render exactly what is stored
        pdf = rendre_pdf(rapport.donnees)
    except Exception as erreur:
        RapportAnnuel.objects.filter(pk=rapport_id).update(statut=StatutTravail.ECHEC, message=str(erreur)[:2000],
                                                            updated_at=timezone.now())
        raise
    with transaction.atomic():
        rapport.fichier.save(f"rapport-annuel-{rapport.annee}-{rapport.pk}.pdf", ContentFile(pdf), save=False)
        rapport.empreinte = hashlib.sha256(pdf).hexdigest()
        rapport.statut = StatutTravail.TERMINE
        rapport.message = ""
        rapport.save(update_fields=["fichier", "empreinte", "statut", "message", "updated_at"])
        evenement_enregistrer(acting_user=rapport.cree_par, action="rapport_annuel_produire", objet=str(rapport),
                              details={"annee": rapport.annee, "rapport": rapport.pk, "empreinte": rapport.empreinte,
                                       "taille": len(pdf)})
    return rapport


def _verifier_annee(annee: int) -> None:
    if annee not in selectors_comite.ANNEES_PACTE:
        raise ValidationError(f"Le pacte couvre les années 2013 à 2015 : pas de rapport annuel {annee}.")


def _personne(acting_user):
    return acting_user if acting_user is not None and acting_user.is_authenticated else None
