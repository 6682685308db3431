"""The pact's barèmes shipped in fixtures/, loaded with the other reference data."""

import json
from decimal import Decimal

from django.conf import settings

from mutualisation.models import Bareme
from pacte.chargeurs import enregistrer_chargeur


@enregistrer_chargeur
def baremes_charger() -> dict[str, int]:
    """Create the shipped barèmes that do not exist yet; a barème the commission has edited is never overwritten."""
    lignes = json.loads((settings.BASE_DIR / "fixtures" / "baremes.json").read_text(encoding="utf-8"))
    crees = 0
    for ligne in lignes:
        valeurs = {cle: (valeur if isinstance(valeur, int) else Decimal(valeur)) for cle, valeur in ligne.items()}
        _, cree = Bareme.objects.get_or_create(annee=valeurs.pop("annee"), defaults=valeurs)
        crees += cree
    return {"baremes": len(lignes), "baremes_crees": crees}
