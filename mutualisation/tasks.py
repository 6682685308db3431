from celery import shared_task

from mutualisation.enums import StatutCalcul
from pacte import travaux


@shared_task(acks_late=True)
def calcul_executer_tache(calcul_id: int) -> None:
    """Run one recorded calculation; the locked row, not the broker, says whether it already ran."""
    from mutualisation.services.campagne import calcul_executer

    calcul_executer(calcul_id)


SURVEILLANCE_CALCUL = travaux.surveiller(travaux.Surveillance(
    tache=calcul_executer_tache.name, modele="mutualisation.Calcul", cle=7002, en_attente=StatutCalcul.EN_ATTENTE,
    en_cours=StatutCalcul.EN_COURS, echec=StatutCalcul.ECHEC, objet="ce calcul",
    relance="Relancez le calcul.",
))


@shared_task
def apercus_purger(age_max_heures: int = 24) -> int:
    """Delete uploaded files whose preview was never confirmed (kept under imports/apercus/ for the session)."""
    from mutualisation.services.imports import apercus_purger as purger

    return purger(age_max_heures=age_max_heures)
