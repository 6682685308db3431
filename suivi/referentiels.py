"""The dated livret A rate table shipped in fixtures/, loaded with the other reference data (the Éco-prêt rate of the
pact is computed from it: suivi.calculs.taux_eco_pret)."""

import json
from datetime import date
from decimal import Decimal

from django.conf import settings

from pacte.chargeurs import enregistrer_chargeur
from suivi.models import TauxLivretA


@enregistrer_chargeur
def taux_livret_a_charger() -> dict[str, int]:
    """Create the shipped rates that do not exist yet; a rate already recorded for a date is never overwritten."""
    lignes = json.loads((settings.BASE_DIR / "fixtures" / "taux_livret_a.json").read_text(encoding="utf-8"))
    crees = 0
    for ligne in lignes:
        _, cree = TauxLivretA.objects.get_or_create(date_effet=date.fromisoformat(ligne["date_effet"]),
                                                    defaults={"taux": Decimal(ligne["taux"])})
        crees += cree
    return {"taux_livret_a": len(lignes), "taux_livret_a_crees": crees}
