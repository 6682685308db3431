"""Every write of the mutualisation: imports (imports.py), barème, adjustments and runs (campagne.py)."""
