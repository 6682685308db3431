import logging

from celery import shared_task

from pacte.enums import StatutTravail
from pacte.travaux import executeur

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def travail_executer(travail_id: int) -> None:
    """Run one recorded job; the row, not the broker, says whether it already ran."""
    from pacte.services import travail_demarrer, travail_terminer

    travail = travail_demarrer(travail_id)
    if travail is None:
        return
    try:
        resultat = executeur(travail.nature)(travail)
    except Exception as erreur:
        logger.exception("Travail %s en échec", travail_id)
        travail_terminer(travail, statut=StatutTravail.ECHEC, message=str(erreur))
        raise
    travail_terminer(travail, statut=StatutTravail.TERMINE, resultat=resultat)
