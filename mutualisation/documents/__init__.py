"""The mutualisation's documents: notices (avis), payment schedule (échéancier), annual bilan (docs/documents.md)."""
