import logging

from celery import shared_task

from pacte import travaux
from pacte.enums import StatutTravail
from pacte.travaux import executeur

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def travail_executer(travail_id: int) -> None:
    """Run one recorded job; the row, not the broker, says whether it already ran."""
    with travaux.execution(SURVEILLANCE_TRAVAIL, travail_id) as seul:
        if seul:
            _executer(travail_id)


def _executer(travail_id: int) -> None:
    from pacte.services import travail_demarrer, travail_terminer

    travail = travail_demarrer(travail_id)
    if travail is None:
        return
    try:
        resultat = executeur(travail.nature)(travail)
    except Exception as erreur:
        logger.exception("Travail %s en échec", travail_id)
        travaux.connexion_retablir()
        travail_terminer(travail, statut=StatutTravail.ECHEC, message=travaux.message_d_erreur(erreur))
        raise
    travail_terminer(travail, statut=StatutTravail.TERMINE, resultat=resultat)


SURVEILLANCE_TRAVAIL = travaux.surveiller(travaux.Surveillance(
    tache=travail_executer.name, modele="pacte.Travail", cle=7001, en_attente=StatutTravail.EN_ATTENTE,
    en_cours=StatutTravail.EN_COURS, echec=StatutTravail.ECHEC, objet="ce travail", relance="Relancez-le.",
))


@shared_task
def orphelins_clore() -> int:
    """The periodic reaper (beat, docs/pannes.md): rows « en cours » whose worker died are marked failed."""
    return travaux.recuperer(renvoyer=False)["orphelins"]
