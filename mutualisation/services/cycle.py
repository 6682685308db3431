"""The campaign's life after its runs (docs/cycle-campagne.md): four-eyes validation, notification, closing,
reopening. Each service checks the acting user's permission and the transition, writes in one transaction with
the campaign row locked, and records its audit event in that same transaction.

    calcul_approuver(acting_user=membre_a, calcul_id=12)   # 1/2
    calcul_approuver(acting_user=membre_b, calcul_id=12)   # 2/2: run 12 validated, campaign « validée »
    campagne_notifier(acting_user=..., annee=2013)          # validée → notifiée
    campagne_clore(acting_user=..., annee=2013)             # notifiée → close
    campagne_reouvrir(acting_user=admin, annee=2013, motif="…")  # back to « calculée », approvals superseded
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from mutualisation import explications
from mutualisation.enums import StatutCalcul, StatutCampagne
from mutualisation.models import ApprobationCalcul, Calcul, Campagne, ReouvertureCampagne, ValidationCalcul
from mutualisation.services.campagne import ErreurCampagne, entrees_inchangees
from pacte.audit import contexte_utilisateur
from pacte.enums import Role
from pacte.services import evenement_enregistrer

APPROBATIONS_REQUISES = 2
STATUTS_FIGES = (StatutCampagne.VALIDEE, StatutCampagne.NOTIFIEE, StatutCampagne.CLOSE)


class ActionRefusee(ErreurCampagne):
    """The acting user may not do this (role or permission); the message is French."""


def _exiger_permission(acting_user, permission: str, libelle: str) -> None:
    if acting_user is None or not acting_user.is_authenticated or not acting_user.has_perm(permission):
        raise ActionRefusee(f"Vous n'avez pas le droit d'{libelle}." if libelle[:1] in "aeiouéèh"
                            else f"Vous n'avez pas le droit de {libelle}.")


def _campagne_verrouillee(annee: int) -> Campagne:
    campagne = Campagne.objects.select_for_update().filter(annee=annee).first()
    if campagne is None:
        raise ErreurCampagne(f"Aucune campagne pour l'année {annee}.")
    return campagne


def _statut(campagne: Campagne) -> str:
    return campagne.get_statut_display().lower()


def _dernier_calcul_de_campagne(campagne: Campagne) -> Calcul | None:
    """The year's latest run that is not a simulation, whatever its status."""
    return campagne.calculs.filter(simulation=False).order_by("-created_at", "-pk").first()


def _exiger_approuvable(calcul: Calcul, campagne: Campagne, membre) -> None:
    if calcul.simulation:
        raise ErreurCampagne(f"Le calcul n° {calcul.pk} est une simulation : une simulation n'est jamais validée.")
    if calcul.statut != StatutCalcul.TERMINE:
        raise ErreurCampagne(f"Le calcul n° {calcul.pk} n'est pas terminé ({calcul.get_statut_display().lower()}) : "
                             "il ne peut pas être approuvé.")
    if campagne.statut in STATUTS_FIGES:
        raise ErreurCampagne(f"L'année {campagne.annee} est déjà {_statut(campagne)}.")
    dernier = _dernier_calcul_de_campagne(campagne)
    if dernier is not None and dernier.pk != calcul.pk:
        raise ErreurCampagne(f"Le calcul n° {calcul.pk} n'est plus le dernier de {campagne.annee} "
                             f"(calcul n° {dernier.pk}) : seul le dernier calcul peut être approuvé.")
    if calcul.lance_par_id == membre.pk:
        raise ErreurCampagne(f"Vous avez lancé le calcul n° {calcul.pk} : un autre membre de la commission doit "
                             "l'approuver (règle des quatre yeux).")
    if calcul.approbations.filter(membre=membre, annulee_par_reouverture__isnull=True).exists():
        raise ErreurCampagne(f"Vous avez déjà approuvé le calcul n° {calcul.pk}.")
    if not entrees_inchangees(calcul):  # last: it reads every input of the year again
        raise ErreurCampagne(f"Les données de {campagne.annee} (prêts, bases, restructurations, ajustements ou "
                             f"barème) ont changé depuis le calcul n° {calcul.pk} : relancez le calcul, puis "
                             "faites approuver le nouveau.")


def calcul_approuver(*, acting_user, calcul_id: int) -> ApprobationCalcul:
    """Record one commission member's approval of a run; the second distinct member's approval validates it.

    A run is approvable when it is the year's latest run, finished, not a simulation, not launched by the member,
    and the year is not already validated. Validation marks the run ``valide``, records a ValidationCalcul and
    sets the campaign to « validée »: from then on the database refuses any change to the year (mutualisation.gel).
    """
    _exiger_permission(acting_user, "mutualisation.approuver_calcul", "approuver un calcul")
    if acting_user.role != Role.COMMISSION:
        raise ActionRefusee("Seuls les membres de la commission de mutualisation approuvent un calcul.")
    annee = Calcul.objects.filter(pk=calcul_id).values_list("campagne__annee", flat=True).first()
    if annee is None:
        raise ErreurCampagne(f"Calcul n° {calcul_id} inconnu.")
    try:
        with contexte_utilisateur(acting_user), transaction.atomic():
            campagne = _campagne_verrouillee(annee)
            calcul = Calcul.objects.select_for_update().get(pk=calcul_id)
            _exiger_approuvable(calcul, campagne, acting_user)
            approbation = ApprobationCalcul.objects.create(calcul=calcul, membre=acting_user)
            nombre = calcul.approbations.filter(annulee_par_reouverture__isnull=True).count()
            evenement_enregistrer(acting_user=acting_user, action="calcul_approuver", objet=str(annee),
                                  details={"calcul": calcul.pk, "approbations": nombre})
            if nombre >= APPROBATIONS_REQUISES:
                _valider(campagne, calcul, acting_user)
    except IntegrityError:  # a concurrent click by the same member: the database refused the second approval
        raise ErreurCampagne(f"Vous avez déjà approuvé le calcul n° {calcul_id}.") from None
    return approbation


def _valider(campagne: Campagne, calcul: Calcul, acting_user) -> None:
    try:
        explications.figer(calcul)  # before the freeze, which refuses any write to a validated run's results
    except explications.PretsModifies as erreur:
        raise ErreurCampagne(str(erreur)) from None
    Calcul.objects.filter(pk=calcul.pk).update(valide=True, updated_at=timezone.now())
    ValidationCalcul.objects.create(campagne=campagne, calcul=calcul)
    membres = list(calcul.approbations.filter(annulee_par_reouverture__isnull=True)
                   .values_list("membre__username", flat=True))
    _changer_statut(campagne, StatutCampagne.VALIDEE)
    evenement_enregistrer(acting_user=acting_user, action="calcul_valider", objet=str(campagne.annee),
                          details={"calcul": calcul.pk, "membres": membres,
                                   "empreinte_entrees": calcul.empreinte_entrees})


def _changer_statut(campagne: Campagne, statut: str) -> None:
    campagne.statut = statut
    campagne.save(update_fields=["statut", "updated_at"])


def _transition(*, acting_user, annee: int, permission: str, libelle: str, depuis: str, vers: str,
                action: str) -> Campagne:
    _exiger_permission(acting_user, permission, libelle)
    with contexte_utilisateur(acting_user), transaction.atomic():
        campagne = _campagne_verrouillee(annee)
        if campagne.statut != depuis:
            raise ErreurCampagne(f"L'année {annee} est {_statut(campagne)} : seule une campagne "
                                 f"{StatutCampagne(depuis).label.lower()} peut passer à "
                                 f"{StatutCampagne(vers).label.lower()}.")
        _changer_statut(campagne, vers)
        evenement_enregistrer(acting_user=acting_user, action=action, objet=str(annee),
                              details={"avant": depuis, "apres": vers})
    return campagne


def campagne_notifier(*, acting_user, annee: int) -> Campagne:
    """validée → notifiée: the notices and the payment schedule are issued.

    In the same transaction, the notices' generation is recorded as a worker job (``avis_generer``), enqueued on
    commit: a refused transition enqueues nothing. The page follows that job's progress."""
    from mutualisation.services.documents import avis_generer  # documents imports this module

    with transaction.atomic():
        campagne = _transition(acting_user=acting_user, annee=annee, permission="mutualisation.notifier_campagne",
                               libelle="notifier une campagne", depuis=StatutCampagne.VALIDEE,
                               vers=StatutCampagne.NOTIFIEE, action="campagne_notifier")
        avis_generer(acting_user=acting_user, annee=annee)
    return campagne


def campagne_clore(*, acting_user, annee: int) -> Campagne:
    """notifiée → close: the year's bilan is drawn up."""
    return _transition(acting_user=acting_user, annee=annee, permission="mutualisation.clore_campagne",
                       libelle="clore une campagne", depuis=StatutCampagne.NOTIFIEE, vers=StatutCampagne.CLOSE,
                       action="campagne_clore")


def campagne_reouvrir(*, acting_user, annee: int, motif: str) -> ReouvertureCampagne:
    """An administrator's act, with a written reason: a validated (notified, closed) year goes back to « calculée ».

    Nothing is erased: the reopening is recorded, the validation and its approvals stay as history rows marked as
    superseded by it, and the run loses its ``valide`` flag. The status change lifts the database freeze."""
    _exiger_permission(acting_user, "mutualisation.reouvrir_campagne", "rouvrir une année validée")
    if acting_user.role != Role.ADMINISTRATEUR and not acting_user.is_superuser:
        raise ActionRefusee("Seul un administrateur de la plateforme rouvre une année validée.")
    motif = (motif or "").strip()
    if not motif:
        raise ErreurCampagne("Rouvrir une année validée exige un motif écrit.")
    with contexte_utilisateur(acting_user), transaction.atomic():
        campagne = _campagne_verrouillee(annee)
        if campagne.statut not in STATUTS_FIGES:
            raise ErreurCampagne(f"L'année {annee} est {_statut(campagne)} : seule une année validée, notifiée "
                                 "ou close peut être rouverte.")
        validation = campagne.validations.filter(reouverture__isnull=True).select_related("calcul").first()
        calcul = validation.calcul if validation else None
        statut_precedent = campagne.statut
        _changer_statut(campagne, StatutCampagne.CALCULEE)  # first: the freeze lifts, the run can change
        reouverture = ReouvertureCampagne.objects.create(campagne=campagne, auteur=acting_user, motif=motif,
                                                         statut_precedent=statut_precedent, calcul=calcul)
        if validation is not None:
            ValidationCalcul.objects.filter(pk=validation.pk).update(reouverture=reouverture)
            calcul.approbations.filter(annulee_par_reouverture__isnull=True).update(
                annulee_par_reouverture=reouverture)
            Calcul.objects.filter(pk=calcul.pk).update(valide=False, updated_at=timezone.now())
        evenement_enregistrer(acting_user=acting_user, action="campagne_reouvrir", objet=str(annee),
                              details={"avant": statut_precedent, "apres": StatutCampagne.CALCULEE,
                                       "motif": motif, "calcul": calcul.pk if calcul else None})
    return reouverture


def calcul_approuver_par_email(*, annee: int, email: str) -> ApprobationCalcul:
    """The command line's approval (``mutualisation valider ANNEE --par EMAIL``): the year's latest run, approved
    by the active commission member with that e-mail."""
    from pacte.models import Utilisateur

    email = (email or "").strip()
    if not email:
        raise ErreurCampagne("Adresse e-mail du membre de la commission manquante.")
    membres = list(Utilisateur.objects.filter(email__iexact=email, is_active=True)[:2])
    if not membres:
        raise ErreurCampagne(f"Aucun utilisateur actif n'a l'adresse {email}.")
    if len(membres) > 1:
        raise ErreurCampagne(f"Plusieurs utilisateurs ont l'adresse {email} : approbation impossible en ligne de "
                             "commande.")
    membre = membres[0]
    if membre.role != Role.COMMISSION:
        raise ActionRefusee(f"{email} n'est pas membre de la commission de mutualisation.")
    campagne = Campagne.objects.filter(annee=annee).first()
    calcul = _dernier_calcul_de_campagne(campagne) if campagne else None
    if calcul is None:
        raise ErreurCampagne(f"Aucun calcul de l'année {annee} à approuver.")
    return calcul_approuver(acting_user=membre, calcul_id=calcul.pk)
