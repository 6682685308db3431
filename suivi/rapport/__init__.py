"""The committee's annual report (Annexe 5): a dated snapshot of the year's data, then its PDF."""

from suivi.rapport.donnees import instantane
from suivi.rapport.rendu import rendre_pdf

__all__ = ["instantane", "rendre_pdf"]
