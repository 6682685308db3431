"""Two sessions grant at the same moment against the last euros of an envelope: exactly one succeeds."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from innovation import selectors
from pacte.appels import services as appels
from pacte.appels.enums import StatutCandidature
from pacte.appels.regles import ErreurAppel
from tests.appels.factories import AppelFactory, CandidatureFactory, EnveloppeFactory, ProjetInnovationFactory


@pytest.mark.django_db(transaction=True)
def test_deux_octrois_simultanes_sur_les_derniers_euros(equipe):
    EnveloppeFactory(annee=2014, montant=Decimal("100000.00"))
    appel = AppelFactory(annee=2014)
    deja = CandidatureFactory(appel=appel, retenue=True, montant_accorde=Decimal("40000.00"))
    ProjetInnovationFactory(candidature=deja)
    candidatures = [
        ProjetInnovationFactory(candidature__appel=appel, candidature__statut=StatutCandidature.INSTRUITE,
                                candidature__montant_demande=Decimal("60000.00")).candidature
        for _ in range(2)
    ]
    depart = threading.Barrier(2)
    resultats: list[str] = []

    def octroyer(candidature):
        try:
            depart.wait(timeout=10)
            appels.candidature_decider(acting_user=equipe["gestionnaire"], candidature=candidature, retenue=True,
                                       motif="Retenu.", montant=Decimal("60000.00"))
            resultats.append("accordé")
        except ErreurAppel as erreur:
            resultats.append(str(erreur))
        finally:
            connection.close()

    fils = [threading.Thread(target=octroyer, args=(c,)) for c in candidatures]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=30)

    assert len(resultats) == 2 and resultats.count("accordé") == 1
    assert "il reste 0,00\u00a0€" in next(r for r in resultats if r != "accordé")
    assert selectors.accorde_annee(2014) == Decimal("100000.00")
