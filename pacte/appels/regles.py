"""What each call's scheme adds to the shared workflow: eligibility at filing, and checks when money is granted.

Each app registers its rules in its ``ready()``; a scheme without rules gets the engine's own checks only.
"""

from decimal import Decimal


class ErreurAppel(Exception):
    """A refused action of the workflow; the message says why, in French, to the person who tried."""


class Regles:
    def verifier_depot(self, candidature) -> None:
        """Raise ErreurAppel if the applicant may not apply to this call."""

    def verifier_octroi(self, candidature, montant: Decimal, *, acting_user) -> None:
        """Raise ErreurAppel if ``montant`` may not be granted; runs inside the decision's transaction."""

    def verifier_transition(self, candidature, vers: str) -> None:
        """Raise ErreurAppel if the scheme forbids this move (a convention required, for instance)."""

    def verifier_versement(self, candidature, nature: str) -> None:
        """Raise ErreurAppel if the scheme forbids this payment (no commitment before the convention, for instance)."""


_REGLES: dict[str, Regles] = {}


def enregistrer(dispositif: str, regles: Regles) -> None:
    _REGLES[dispositif] = regles


def regles_de(dispositif: str) -> Regles:
    return _REGLES.get(dispositif, Regles())
