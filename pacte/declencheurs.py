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


def cle_par_instruction(nom: str, *, colonne: str, cible: str, message: str) -> list:
    """What a foreign key guaranteed on the referencing side, checked once per statement instead of once per row: an
    INSERT or UPDATE fails, with the key's error code, if one of its rows names (``colonne``) a row of ``cible``
    (by ``id``) that does not exist — one anti-join over the statement's rows. ``message`` says what is missing."""
    func = f"""
IF EXISTS (SELECT 1 FROM nouvelles n WHERE n.{colonne} IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM {cible} f WHERE f.id = n.{colonne})) THEN
    RAISE EXCEPTION '{message} (% sur %).', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation';
END IF;
RETURN NULL;
"""  # noqa: S608 - the callers' constants, no user input
    return [par_instruction(nom, evenement, func) for evenement in ("ins", "upd")]


def protegee_par_instruction(nom: str, *, referencant: str, colonne: str, refus: str):
    """The referenced side of such a key (``on_delete=PROTECT`` in the database): deleting a row, or changing its
    id, fails while a row of ``referencant`` names it in ``colonne``. ``refus`` is the message, with ``%`` for the
    row's id then for the operation. Other updates of the row (status, counts) cost no lookup."""
    return pgtrigger.Trigger(
        name=nom,
        when=pgtrigger.Before,
        operation=pgtrigger.Delete | pgtrigger.Update,
        func=f"""
        IF TG_OP = 'UPDATE' AND OLD.id = NEW.id THEN  -- its status, counts, message: no lookup
            RETURN NEW;
        END IF;
        IF EXISTS (SELECT 1 FROM {referencant} WHERE {colonne} = OLD.id) THEN
            RAISE EXCEPTION '{refus}', OLD.id, TG_OP
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    """,  # noqa: S608 - the callers' constants, no user input
    )
