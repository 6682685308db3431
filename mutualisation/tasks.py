from celery import shared_task


@shared_task(acks_late=True)
def calcul_executer_tache(calcul_id: int) -> None:
    """Run one recorded calculation; the locked row, not the broker, says whether it already ran."""
    from mutualisation.services.campagne import calcul_executer

    calcul_executer(calcul_id)


@shared_task
def apercus_purger(age_max_heures: int = 24) -> int:
    """Delete uploaded files whose preview was never confirmed (kept under imports/apercus/ for the session)."""
    from mutualisation.services.imports import apercus_purger as purger

    return purger(age_max_heures=age_max_heures)
