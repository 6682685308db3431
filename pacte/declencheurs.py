"""Statement-level triggers with their transition tables: one trigger per event, since PostgreSQL gives transition
tables to single-event triggers only. The rows a statement inserted are ``nouvelles``, those it deleted
``anciennes``; an UPDATE has both."""

import pgtrigger

# event → (operation, transition tables, their names)
EVENEMENTS = {
    "ins": (pgtrigger.Insert, pgtrigger.Referencing(new="nouvelles"), ("nouvelles",)),
    "upd": (pgtrigger.Update, pgtrigger.Referencing(old="anciennes", new="nouvelles"), ("anciennes", "nouvelles")),
    "del": (pgtrigger.Delete, pgtrigger.Referencing(old="anciennes"), ("anciennes",)),
}


def par_instruction(nom: str, evenement: str, func: str, *, declare: list[tuple[str, str]] | None = None):
    """An AFTER … FOR EACH STATEMENT trigger named ``{nom}_{evenement}`` (``ins``, ``upd`` or ``del``) running
    ``func`` with the statement's transition tables."""
    operation, referencing, _ = EVENEMENTS[evenement]
    return pgtrigger.Trigger(name=f"{nom}_{evenement}", level=pgtrigger.Statement, when=pgtrigger.After,
                             operation=operation, referencing=referencing, declare=declare, func=func)
