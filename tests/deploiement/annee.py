"""A validated mutualisation year built through the services, as in production: data for two organisms, a run
launched by one commission member and approved by two others (four-eyes rule), so the year is frozen."""

from decimal import Decimal

from mutualisation.models import Calcul
from mutualisation.referentiels import baremes_charger
from mutualisation.services.campagne import ajustement_enregistrer, calcul_executer, calcul_lancer
from mutualisation.services.cycle import calcul_approuver
from pacte.enums import Role
from tests.factories import OrganismeFactory, UtilisateurFactory
from tests.mutualisation.test_cycle import _donnees

ANNEE = 2013


def annee_validee(annee: int = ANNEE) -> Calcul:
    baremes_charger()
    lanceur, membre_a, membre_b = (
        UtilisateurFactory(username=nom, email=f"{nom}@commission.test", role=Role.COMMISSION)
        for nom in ("lanceur", "membre-a", "membre-b")
    )
    oph = OrganismeFactory(raison_sociale="OPH de la Somme")
    esh = OrganismeFactory(raison_sociale="ESH du Nord")
    _donnees(oph, annee, f"P1-{annee}")
    _donnees(esh, annee, f"P2-{annee}")
    ajustement_enregistrer(acting_user=membre_a, annee=annee, siren=oph.siren, montant=Decimal("1500.00"),
                           motif="Opération sinistrée examinée en commission")
    calcul = calcul_executer(calcul_lancer(acting_user=lanceur, annee=annee, sur_le_worker=False).pk)
    for membre in (membre_a, membre_b):
        calcul_approuver(acting_user=membre, calcul_id=calcul.pk)
    calcul.refresh_from_db()
    assert calcul.valide and calcul.empreinte_entrees
    return calcul
