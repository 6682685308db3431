"""Writes of the innovation fund: applications with their project data, envelopes, conventions, yearly bilan."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from innovation import calculs, selectors
from innovation.enums import TypeAide
from innovation.models import BilanActivite, EnveloppeInnovation, ProjetInnovation, Theme
from pacte.appels import services as appels
from pacte.appels import workflow
from pacte.appels.enums import Dispositif, StatutCandidature
from pacte.appels.regles import ErreurAppel, Regles
from pacte.models import Organisme
from pacte.models_appels import AppelAProjets, Candidature
from pacte.services import evenement_enregistrer


class ReglesInnovation(Regles):
    """The fund's rules, hooked into the shared workflow (registered in InnovationConfig.ready)."""

    def verifier_depot(self, candidature: Candidature) -> None:
        raison = calculs.refus_eligibilite(candidature.organisme.famille)
        if raison:
            raise ErreurAppel(raison)

    def verifier_octroi(self, candidature: Candidature, montant: Decimal, *, acting_user) -> None:
        annee = candidature.appel.annee
        # Lock order: envelope, then organism. Every innovation grant takes both, so two grants racing for the last
        # euros of an envelope, or for one organism's ceiling, are serialised and the second sees the first.
        enveloppe = EnveloppeInnovation.objects.select_for_update().filter(annee=annee).first()
        if enveloppe is None:
            raise ErreurAppel(f"Aucune enveloppe du fonds n'est fixée pour {annee} : la fixer avant d'accorder.")
        Organisme.objects.select_for_update().get(pk=candidature.organisme_id)
        projet = candidature.projet_innovation
        raisons = [
            calculs.refus_enveloppe(montant=montant, enveloppe=enveloppe.montant, annee=annee,
                                    deja_accorde=selectors.accorde_annee(annee, sauf=candidature.pk)),
            calculs.refus_plafond_organisme(montant=montant, deja_accorde_36_mois=selectors.accorde_organisme_36_mois(
                candidature.organisme_id, timezone.localdate(), sauf=candidature.pk)),
            calculs.refus_cofinancement(montant=montant, cout_total=projet.cout_total,
                                        autres_financements_publics=projet.autres_financements_publics),
        ]
        raisons = [r for r in raisons if r]
        if raisons:
            raise ErreurAppel(" ".join(raisons))

    def verifier_transition(self, candidature: Candidature, vers: str) -> None:
        if (vers == StatutCandidature.EN_COURS and candidature.statut == StatutCandidature.RETENUE
                and calculs.convention_requise(candidature.montant_accorde)):
            raise ErreurAppel(f"Une aide de plus de {calculs.SEUIL_CONVENTION:.0f} € exige une convention signée "
                              "avant le démarrage.")

    def verifier_versement(self, candidature: Candidature, nature: str) -> None:
        if candidature.statut == StatutCandidature.RETENUE and calculs.convention_requise(
                candidature.montant_accorde):
            raise ErreurAppel(f"Une aide de plus de {calculs.SEUIL_CONVENTION:.0f} € ne s'engage qu'une fois la "
                              "convention signée.")


def projet_deposer(*, acting_user, appel: AppelAProjets, organisme: Organisme, intitule: str, resume: str,
                   montant_demande: Decimal, theme: Theme, type_aide: str, cout_total: Decimal,
                   autres_financements_publics: Decimal, date_debut: date, duree_mois: int,
                   taux_pret: Decimal | None = None, duree_pret_mois: int | None = None,
                   date_depot: date | None = None) -> Candidature:
    """File an innovation application; every rule that already applies to the request is checked and explained."""
    if appel.dispositif != Dispositif.INNOVATION:
        raise ErreurAppel("Cet appel n'est pas un appel du fonds d'innovation.")
    date_depot = date_depot or timezone.localdate()
    raisons = calculs.refus_calendrier(date_depot=date_depot, date_debut=date_debut, duree_mois=duree_mois)
    cofinancement = calculs.refus_cofinancement(montant=montant_demande, cout_total=cout_total,
                                                autres_financements_publics=autres_financements_publics)
    if cofinancement:
        raisons.append(cofinancement)
    if montant_demande > calculs.PLAFOND_ORGANISME:
        raisons.append(f"Le fonds accorde au plus {calculs.PLAFOND_ORGANISME:.0f} € par organisme sur 36 mois.")
    if type_aide == TypeAide.PRET_BONIFIE and (taux_pret is None or not duree_pret_mois):
        raisons.append("Un prêt bonifié précise son taux et sa durée.")
    if raisons:
        raise ErreurAppel(" ".join(raisons))
    if type_aide == TypeAide.SUBVENTION:
        taux_pret = duree_pret_mois = None
    with transaction.atomic():
        candidature = appels.candidature_deposer(
            acting_user=acting_user, appel=appel, organisme=organisme, intitule=intitule, resume=resume,
            montant_demande=montant_demande, date_depot=date_depot)
        ProjetInnovation.objects.create(
            candidature=candidature, theme=theme, section=theme.section, type_aide=type_aide, taux_pret=taux_pret,
            duree_pret_mois=duree_pret_mois, cout_total=cout_total,
            autres_financements_publics=autres_financements_publics, date_debut=date_debut, duree_mois=duree_mois)
    return candidature


def convention_enregistrer(*, acting_user, candidature: Candidature, reference: str, signee_le: date) -> Candidature:
    with transaction.atomic():
        projet = ProjetInnovation.objects.select_for_update().get(candidature=candidature)
        if not reference.strip():
            raise ErreurAppel("La convention a une référence.")
        projet.convention_reference = reference.strip()
        projet.convention_signee_le = signee_le
        projet.save(update_fields=["convention_reference", "convention_signee_le"])
        return appels.candidature_transitionner(acting_user=acting_user, candidature=candidature,
                                                vers=StatutCandidature.CONVENTIONNEE,
                                                motif=f"Convention {projet.convention_reference} signée le "
                                                      f"{signee_le:%d/%m/%Y}")


# The Comité d'orientation rules on the financing terms while the file is under examination.
STATUTS_EXAMEN = (StatutCandidature.RECEVABLE, StatutCandidature.INSTRUITE)
TAUX_PRET_MAX = Decimal("10")  # in %
DUREE_PRET_MAX_ANNEES = 30


def _conditions(projet: ProjetInnovation) -> dict:
    return {"type_aide": projet.type_aide,
            "taux_pret": None if projet.taux_pret is None else str(projet.taux_pret),
            "duree_pret_mois": projet.duree_pret_mois}


def _refus_conditions(type_aide: str, taux_pourcent: Decimal | None, duree_annees: int | None) -> list[str]:
    if type_aide not in TypeAide.values:
        return ["Le type d'aide est une subvention ou un prêt bonifié."]
    if type_aide == TypeAide.SUBVENTION:
        if taux_pourcent is not None or duree_annees is not None:
            return ["Une subvention n'a ni taux ni durée de prêt."]
        return []
    raisons = []
    if taux_pourcent is None:
        raisons.append("Un prêt bonifié précise son taux.")
    elif not Decimal("0") <= taux_pourcent <= TAUX_PRET_MAX:
        raisons.append(f"Le taux du prêt bonifié est compris entre 0 et {TAUX_PRET_MAX:.0f} %.")
    elif taux_pourcent != taux_pourcent.quantize(Decimal("0.01")):
        raisons.append("Le taux du prêt bonifié a au plus deux décimales.")
    if duree_annees is None:
        raisons.append("Un prêt bonifié précise sa durée.")
    elif not 1 <= duree_annees <= DUREE_PRET_MAX_ANNEES:
        raisons.append(f"La durée du prêt bonifié est comprise entre 1 et {DUREE_PRET_MAX_ANNEES} ans.")
    return raisons


def conditions_fixer(*, acting_user, candidature: Candidature, type_aide: str, taux_pourcent: Decimal | None = None,
                     duree_annees: int | None = None) -> ProjetInnovation:
    """The Comité d'orientation sets the aid's terms: a subvention, or a prêt bonifié at a rate (0–10 %, two
    decimals) over a duration (1–30 years). The applicant's requested terms stand until then."""
    if not (acting_user.has_perm(workflow.INSTRUIRE) and acting_user.has_perm("pacte.noter_candidature")):
        raise ErreurAppel("Seul le Comité d'orientation fixe les conditions de financement.")
    raisons = _refus_conditions(type_aide, taux_pourcent, duree_annees)
    if raisons:
        raise ErreurAppel(" ".join(raisons))
    with transaction.atomic():
        candidature = Candidature.objects.select_for_update().get(pk=candidature.pk)
        if candidature.statut not in STATUTS_EXAMEN:
            raise ErreurAppel("Les conditions de financement se fixent pendant l'examen du dossier (recevable ou "
                              f"instruit), pas au statut « {candidature.get_statut_display()} ».")
        projet = ProjetInnovation.objects.select_for_update().get(candidature=candidature)
        avant = _conditions(projet)
        projet.type_aide = type_aide
        if type_aide == TypeAide.PRET_BONIFIE:
            projet.taux_pret = taux_pourcent / 100
            projet.duree_pret_mois = duree_annees * 12
        else:
            projet.taux_pret = projet.duree_pret_mois = None
        projet.save(update_fields=["type_aide", "taux_pret", "duree_pret_mois"])
        evenement_enregistrer(acting_user=acting_user, action="conditions_innovation_fixer",
                              objet=candidature.numero, details={"avant": avant, "apres": _conditions(projet)})
    return projet


def enveloppe_fixer(*, acting_user, annee: int, montant: Decimal, motif: str = "") -> EnveloppeInnovation:
    """Set a year's envelope. It never goes below what is already granted on that year."""
    if not acting_user.has_perm(workflow.GERER):
        raise ErreurAppel("Votre rôle ne permet pas de fixer l'enveloppe.")
    with transaction.atomic():
        enveloppe, _ = EnveloppeInnovation.objects.select_for_update().get_or_create(
            annee=annee, defaults={"montant": montant, "motif": motif})
        accorde = selectors.accorde_annee(annee)
        if montant < accorde:
            raise ErreurAppel(f"L'enveloppe {annee} ne peut descendre sous les {accorde} € déjà accordés.")
        enveloppe.montant = montant
        enveloppe.motif = motif
        enveloppe.save(update_fields=["montant", "motif", "updated_at"])
        evenement_enregistrer(acting_user=acting_user, action="enveloppe_innovation_fixer", objet=str(annee),
                              details={"montant": str(montant), "motif": motif})
    return enveloppe


def bilan_etablir(*, acting_user, annee: int) -> BilanActivite:
    """The year's activity, and the envelope it proposes for the next year (calculs.enveloppe_proposee)."""
    if not acting_user.has_perm(workflow.GERER):
        raise ErreurAppel("Votre rôle ne permet pas d'établir le bilan.")
    activite = selectors.activite_annee(annee)
    if activite["enveloppe"] is None:
        raise ErreurAppel(f"Aucune enveloppe n'a été fixée pour {annee}.")
    proposee = calculs.enveloppe_proposee(accorde=activite["montant_accorde"],
                                          demande_en_attente=activite["demande_en_attente"])
    with transaction.atomic():
        bilan, _ = BilanActivite.objects.update_or_create(
            annee=annee, defaults={**activite, "enveloppe_proposee": proposee, "etabli_par": acting_user})
        evenement_enregistrer(acting_user=acting_user, action="bilan_innovation_etablir", objet=str(annee),
                              details={"enveloppe_proposee": str(proposee)})
    return bilan


def enveloppe_reconduire(*, acting_user, annee: int) -> EnveloppeInnovation:
    """The next year's envelope from the year's bilan."""
    bilan = BilanActivite.objects.filter(annee=annee).first()
    if bilan is None:
        raise ErreurAppel(f"Établir d'abord le bilan {annee}.")
    return enveloppe_fixer(acting_user=acting_user, annee=annee + 1, montant=bilan.enveloppe_proposee,
                           motif=f"Réévaluée d'après le bilan d'activité {annee}.")


