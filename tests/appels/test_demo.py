"""The demo data of both calls: calibrated on the real figures, consistent with the rules, idempotent."""

from decimal import Decimal

import pytest
from django.db.models import Max, Min, Sum

from innovation import demo as demo_innovation
from innovation.models import EnveloppeInnovation
from innovation.selectors import accorde_annee
from logements_accompagnes import demo as demo_accompagnes
from logements_accompagnes.selectors import compteur_national
from pacte.appels.enums import Dispositif, StatutCandidature
from pacte.enums import Famille
from pacte.models_appels import Candidature
from tests.factories import OrganismeFactory


@pytest.mark.django_db
def test_demo_calibree_et_idempotente():
    OrganismeFactory.create_batch(60)
    OrganismeFactory.create_batch(5, famille=Famille.SEM)
    assert "déjà présent" not in demo_accompagnes.generer(2013)
    assert "déjà présent" in demo_accompagnes.generer(2013)
    retenues = Candidature.objects.filter(appel__dispositif=Dispositif.LOGEMENTS_ACCOMPAGNES,
                                          statut__in=StatutCandidature.accordees())
    premier = retenues.filter(appel__annee=2014)
    assert premier.count() == 28
    bornes = premier.aggregate(bas=Min("montant_accorde"), haut=Max("montant_accorde"))
    assert (bornes["bas"], bornes["haut"]) == (Decimal("4500.00"), Decimal("84500.00"))
    menages = premier.aggregate(m=Sum("projet_accompagne__suivis__menages_accompagnes"))["m"]
    assert 750 <= menages <= 1050
    assert retenues.count() == 150
    assert 5500 <= compteur_national()["logements"] <= 6500
    troisieme = retenues.filter(appel__annee=2016)
    assert troisieme.aggregate(s=Sum("montant_accorde"))["s"] <= Decimal("5000000.00")
    assert troisieme.aggregate(m=Max("montant_accorde"))["m"] <= Decimal("200000.00")

    assert "déjà présent" not in demo_innovation.generer(2013)
    assert "déjà présent" in demo_innovation.generer(2013)
    for enveloppe in EnveloppeInnovation.objects.all():
        assert accorde_annee(enveloppe.annee) <= enveloppe.montant
    assert EnveloppeInnovation.objects.get(annee=2014).montant == Decimal("5000000.00")
