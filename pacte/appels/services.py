"""Every write of the calls-for-projects engine; each one audited in its own transaction."""

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from pacte.appels import workflow
from pacte.appels.enums import NatureDecision, NatureVersement, StatutCandidature
from pacte.appels.regles import ErreurAppel, regles_de
from pacte.enums import Role
from pacte.formats import format_date, format_euros
from pacte.models import Organisme
from pacte.models_appels import (
    AppelAProjets,
    Candidature,
    Commentaire,
    Decision,
    HistoriqueStatut,
    Note,
    PieceJointe,
    Versement,
)
from pacte.services import evenement_enregistrer, fichier_conserver

TAILLE_MAX_PIECE = 10 * 1024 * 1024
# Accepted attachments: extension → (MIME type, first bytes of a genuine file of that type).
TYPES_PIECES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}
CENTIME = Decimal("0.01")


def _montant(valeur) -> Decimal:
    if not isinstance(valeur, Decimal):
        raise TypeError(f"Montant non exact refusé : {valeur!r} (Decimal attendu).")
    if valeur.quantize(CENTIME) != valeur:
        raise ErreurAppel(f"Le montant {valeur} a plus de deux décimales.")
    return valeur


def _verifier_permission(acting_user, permission: str) -> None:
    if not acting_user.has_perm(permission):
        raise ErreurAppel("Votre rôle ne permet pas cette action.")


def _verifier_organisme(acting_user, organisme: Organisme) -> None:
    if acting_user.role == Role.ORGANISME and acting_user.organisme_id != organisme.pk:
        raise ErreurAppel("Un organisme ne dépose et ne complète que ses propres dossiers.")


def _historiser(candidature: Candidature, *, de: str, acting_user, motif: str = "") -> None:
    HistoriqueStatut.objects.create(candidature=candidature, de=de, vers=candidature.statut, auteur=acting_user,
                                    motif=motif)
    evenement_enregistrer(acting_user=acting_user, action="candidature_statut", objet=candidature.numero,
                          details={"de": de, "vers": candidature.statut, "motif": motif})


def candidature_deposer(*, acting_user, appel: AppelAProjets, organisme: Organisme, intitule: str, resume: str,
                        montant_demande: Decimal, date_depot: date | None = None) -> Candidature:
    """File an application for ``organisme``; the call must be open and the scheme's eligibility rules met.

    Dispositif-specific details are written by the app's own service in the same transaction.
    """
    _verifier_permission(acting_user, workflow.DEPOSER)
    _verifier_organisme(acting_user, organisme)
    date_depot = date_depot or timezone.localdate()
    if not appel.date_ouverture <= date_depot <= appel.date_cloture:
        raise ErreurAppel(f"L'appel « {appel.titre} » est ouvert du {format_date(appel.date_ouverture)} au "
                          f"{format_date(appel.date_cloture)} : dépôt impossible le {format_date(date_depot)}.")
    with transaction.atomic():
        candidature = Candidature(appel=appel, organisme=organisme, intitule=intitule.strip(), resume=resume.strip(),
                                  montant_demande=_montant(montant_demande), date_depot=date_depot,
                                  deposee_par=acting_user)
        regles_de(appel.dispositif).verifier_depot(candidature)
        plafond = appel.plafond_par_projet
        if plafond is not None and candidature.montant_demande > plafond:
            raise ErreurAppel(f"Le montant demandé ({format_euros(candidature.montant_demande)}) dépasse le plafond "
                              f"de l'appel par projet ({format_euros(plafond)}).")
        candidature.save()
        _historiser(candidature, de="", acting_user=acting_user)
    return candidature


def _verrouiller(candidature: Candidature) -> Candidature:
    return Candidature.objects.select_for_update().select_related("appel", "organisme").get(pk=candidature.pk)


def candidature_transitionner(*, acting_user, candidature: Candidature, vers: str, motif: str = "") -> Candidature:
    """Move an application along the workflow (not a decision: see candidature_decider)."""
    with transaction.atomic():
        candidature = _verrouiller(candidature)
        etape = workflow.transition(candidature.statut, vers)
        if etape is None or etape.decision:
            raise ErreurAppel(f"Passage impossible de « {candidature.get_statut_display()} » à "
                              f"« {StatutCandidature(vers).label} ».")
        _verifier_permission(acting_user, etape.permission)
        if etape.permission == workflow.DEPOSER:
            _verifier_organisme(acting_user, candidature.organisme)
        motif = motif.strip()
        if etape.motif_obligatoire and not motif:
            raise ErreurAppel(f"« {etape.libelle} » doit être motivé.")
        regles_de(candidature.appel.dispositif).verifier_transition(candidature, vers)
        de = candidature.statut
        candidature.statut = vers
        candidature.save(update_fields=["statut", "updated_at"])
        if vers == StatutCandidature.IRRECEVABLE:
            Decision.objects.create(candidature=candidature, nature=NatureDecision.IRRECEVABLE, motif=motif,
                                    auteur=acting_user)
        _historiser(candidature, de=de, acting_user=acting_user, motif=motif)
    return candidature


def _verifier_enveloppe_appel(candidature: Candidature, montant: Decimal) -> None:
    """The call's own envelope and per-project cap (locking the call row so two grants are serialised)."""
    appel = AppelAProjets.objects.select_for_update().get(pk=candidature.appel_id)
    if appel.plafond_par_projet is not None and montant > appel.plafond_par_projet:
        raise ErreurAppel(f"Le montant ({format_euros(montant)}) dépasse le plafond de l'appel par projet "
                          f"({format_euros(appel.plafond_par_projet)}).")
    if appel.enveloppe is None:
        return
    accorde = (Candidature.objects.filter(appel=appel, statut__in=StatutCandidature.accordees())
               .exclude(pk=candidature.pk).aggregate(s=Sum("montant_accorde"))["s"] or Decimal("0.00"))
    disponible = appel.enveloppe - accorde
    if montant > disponible:
        raise ErreurAppel(f"L'enveloppe de l'appel ({format_euros(appel.enveloppe)}) est déjà accordée à hauteur de "
                          f"{format_euros(accorde)} : il reste {format_euros(disponible)}, moins que les "
                          f"{format_euros(montant)} proposés.")


def candidature_decider(*, acting_user, candidature: Candidature, retenue: bool, motif: str,
                        montant: Decimal | None = None) -> Decision:
    """Retain (with an amount) or reject an examined application, with its reason.

    Amounts are checked under a row lock on the envelope(s): two grants racing for the last euros are serialised,
    and the second sees the first's amount.
    """
    _verifier_permission(acting_user, workflow.DECIDER)
    motif = motif.strip()
    if not motif:
        raise ErreurAppel("Une décision doit être motivée.")
    with transaction.atomic():
        candidature = _verrouiller(candidature)
        vers = StatutCandidature.RETENUE if retenue else StatutCandidature.NON_RETENUE
        if workflow.transition(candidature.statut, vers) is None:
            raise ErreurAppel(f"Une candidature « {candidature.get_statut_display()} » ne peut pas être décidée : "
                              "elle doit d'abord être instruite.")
        if retenue:
            if montant is None or _montant(montant) <= 0:
                raise ErreurAppel("Un projet retenu a un montant accordé strictement positif.")
            _verifier_enveloppe_appel(candidature, montant)
            regles_de(candidature.appel.dispositif).verifier_octroi(candidature, montant, acting_user=acting_user)
        else:
            montant = None
        de = candidature.statut
        candidature.statut = vers
        candidature.montant_accorde = montant
        candidature.save(update_fields=["statut", "montant_accorde", "updated_at"])
        decision = Decision.objects.create(candidature=candidature, nature=vers, motif=motif, montant=montant,
                                           auteur=acting_user)
        _historiser(candidature, de=de, acting_user=acting_user, motif=motif)
    return decision


def piece_jointe_ajouter(*, acting_user, candidature: Candidature, nom: str, contenu: bytes) -> PieceJointe:
    """Attach a document: at most 10 Mo, a PDF, image or office file whose content matches its extension."""
    if not (acting_user.has_perm(workflow.INSTRUIRE) or acting_user.has_perm(workflow.DEPOSER)):
        raise ErreurAppel("Votre rôle ne permet pas d'ajouter une pièce.")
    _verifier_organisme(acting_user, candidature.organisme)
    nom = Path(nom).name
    extension = Path(nom).suffix.lower()
    if extension not in TYPES_PIECES:
        raise ErreurAppel(f"Type de fichier refusé ({extension or 'sans extension'}) : PDF, PNG, JPEG, ODT, ODS, "
                          "DOCX ou XLSX.")
    if not contenu:
        raise ErreurAppel("Le fichier est vide.")
    if len(contenu) > TAILLE_MAX_PIECE:
        raise ErreurAppel(f"Le fichier dépasse la taille maximale de {TAILLE_MAX_PIECE // (1024 * 1024)} Mo.")
    type_mime, signatures = TYPES_PIECES[extension]
    if not contenu.startswith(signatures):
        raise ErreurAppel(f"Le contenu de « {nom} » ne correspond pas à son extension {extension}.")
    empreinte = hashlib.sha256(contenu).hexdigest()
    with transaction.atomic():
        chemin = fichier_conserver(contenu, empreinte=empreinte, nom=nom)
        piece = PieceJointe.objects.create(candidature=candidature, nom=nom, type_mime=type_mime, taille=len(contenu),
                                           empreinte=empreinte, chemin=str(chemin), deposee_par=acting_user)
        evenement_enregistrer(acting_user=acting_user, action="piece_jointe_ajouter", objet=candidature.numero,
                              details={"nom": nom, "empreinte": empreinte})
    return piece


def commentaire_ajouter(*, acting_user, candidature: Candidature, texte: str, interne: bool = False) -> Commentaire:
    texte = texte.strip()
    if not texte:
        raise ErreurAppel("Le commentaire est vide.")
    instructeur = acting_user.has_perm(workflow.INSTRUIRE) or acting_user.has_perm(workflow.DECIDER)
    if interne and not instructeur:
        raise ErreurAppel("Seul le comité écrit des commentaires internes.")
    if not instructeur:
        _verifier_permission(acting_user, workflow.DEPOSER)
        _verifier_organisme(acting_user, candidature.organisme)
    with transaction.atomic():
        commentaire = Commentaire.objects.create(candidature=candidature, auteur=acting_user, texte=texte,
                                                 interne=interne)
        evenement_enregistrer(acting_user=acting_user, action="commentaire_ajouter", objet=candidature.numero,
                              details={"interne": interne})
    return commentaire


def notes_enregistrer(*, acting_user, candidature: Candidature, notes: dict[int, int]) -> list[Note]:
    """A committee member scores the application on each of the call's criteria (0 to 20); a new score replaces
    that member's previous one."""
    _verifier_permission(acting_user, "pacte.noter_candidature")
    if candidature.statut not in workflow.STATUTS_NOTATION:
        raise ErreurAppel("Une candidature se note quand elle est recevable ou instruite.")
    criteres = {c.pk: c for c in candidature.appel.criteres.all()}
    if set(notes) != set(criteres):
        raise ErreurAppel("Chaque critère de l'appel reçoit une note, et seulement eux.")
    if any(not 0 <= valeur <= 20 for valeur in notes.values()):
        raise ErreurAppel("Une note est comprise entre 0 et 20.")
    with transaction.atomic():
        enregistrees = [
            Note.objects.update_or_create(candidature=candidature, critere=criteres[pk], evaluateur=acting_user,
                                          defaults={"valeur": valeur})[0]
            for pk, valeur in notes.items()
        ]
        evenement_enregistrer(acting_user=acting_user, action="candidature_noter", objet=candidature.numero,
                              details={str(pk): valeur for pk, valeur in notes.items()})
    return enregistrees


def _total_verse(candidature: Candidature) -> Decimal:
    return (candidature.versements.exclude(nature=NatureVersement.ENGAGEMENT).aggregate(s=Sum("montant"))["s"]
            or Decimal("0.00"))


def versement_enregistrer(*, acting_user, candidature: Candidature, nature: str, montant: Decimal | None = None,
                          date_versement: date | None = None) -> Versement:
    """Commitment (the whole amount granted, once), instalments (never beyond the commitment), then the balance
    (what remains; it closes the project: « soldée »)."""
    _verifier_permission(acting_user, workflow.GERER)
    date_versement = date_versement or timezone.localdate()
    with transaction.atomic():
        candidature = _verrouiller(candidature)
        if candidature.statut not in (StatutCandidature.RETENUE, StatutCandidature.CONVENTIONNEE,
                                      StatutCandidature.EN_COURS):
            raise ErreurAppel(f"Aucun versement sur une candidature « {candidature.get_statut_display()} ».")
        regles_de(candidature.appel.dispositif).verifier_versement(candidature, nature)
        engagement = candidature.versements.filter(nature=NatureVersement.ENGAGEMENT).first()
        if nature == NatureVersement.ENGAGEMENT:
            if engagement is not None:
                raise ErreurAppel("Le montant accordé est déjà engagé.")
            montant = candidature.montant_accorde
        else:
            if engagement is None:
                raise ErreurAppel("Engager d'abord le montant accordé.")
            if candidature.statut != StatutCandidature.EN_COURS:
                raise ErreurAppel("Les acomptes et le solde se versent à un projet en cours.")
            reste = engagement.montant - _total_verse(candidature)
            if nature == NatureVersement.SOLDE:
                montant = reste
            elif montant is None or _montant(montant) <= 0 or montant >= reste:
                raise ErreurAppel(f"Un acompte est positif et inférieur au reste à verser ({format_euros(reste)}) ; "
                                  "le dernier versement est le solde.")
        versement = Versement.objects.create(candidature=candidature, nature=nature, montant=montant,
                                             date_versement=date_versement, auteur=acting_user)
        evenement_enregistrer(acting_user=acting_user, action="versement_enregistrer", objet=candidature.numero,
                              details={"nature": nature, "montant": str(montant)})
        if nature == NatureVersement.SOLDE:
            candidature.statut = StatutCandidature.SOLDEE
            candidature.save(update_fields=["statut", "updated_at"])
            _historiser(candidature, de=StatutCandidature.EN_COURS, acting_user=acting_user,
                        motif=f"Solde versé : {format_euros(montant)}")
    return versement
