from celery import shared_task


@shared_task(acks_late=True)
def calcul_executer_tache(calcul_id: int) -> None:
    """Run one recorded calculation; the locked row, not the broker, says whether it already ran."""
    from mutualisation.services.campagne import calcul_executer

    calcul_executer(calcul_id)
