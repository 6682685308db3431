"""The database side of a validated year (docs/cycle-campagne.md): PostgreSQL triggers that refuse any write to the
year's barème, inputs and validated results while its campaign is validée, notifiée or close — raw SQL included.

The triggers read the campaign's status at write time, so reopening a year (its status goes back to calculée)
lifts the freeze with no trigger to disable. They are statement-level, with transition tables: one query per
statement, whatever its number of rows, so a COPY of 200 000 loans into an open year costs one lookup.
"""

import pgtrigger

from pacte.declencheurs import EVENEMENTS, par_instruction

STATUTS_FIGES_SQL = "('validee', 'notifiee', 'close')"
CAMPAGNE = "mutualisation_campagne"

_VERIFIER = """
SELECT c.annee, c.statut INTO annee_figee, statut_fige
FROM {table} t {jointures} JOIN """ + CAMPAGNE + """ c ON {condition}
WHERE c.statut IN """ + STATUTS_FIGES_SQL + """
LIMIT 1;
IF FOUND THEN
    RAISE EXCEPTION 'Année % figée (campagne %) : % refusé sur %.', annee_figee, statut_fige, TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Seul un administrateur peut rouvrir l''année, avec un motif écrit.';
END IF;
"""


def _verification(tables: list[str], condition: str, jointures: str) -> str:
    return "".join(_VERIFIER.format(table=table, condition=condition, jointures=jointures) for table in tables)


def gel_annuel(nom: str, condition: str, *, jointures: str = "") -> list[pgtrigger.Trigger]:
    """Three AFTER … FOR EACH STATEMENT triggers (PostgreSQL gives transition tables to single-event triggers
    only) refusing INSERT, UPDATE and DELETE of rows that belong to a frozen year.

    ``condition`` joins a changed row ``t`` (after ``jointures``) to its campaign ``c``, e.g. ``c.annee = t.annee``.
    An UPDATE is checked on the rows before and after: moving a row out of, or into, a frozen year is refused."""
    declare = [("annee_figee", "integer"), ("statut_fige", "text")]
    return [
        par_instruction(f"{nom}_fige", evenement, _verification(tables, condition, jointures) + "RETURN NULL;",
                        declare=declare)
        for evenement, (_, _, tables) in EVENEMENTS.items()
    ]


# The validated run's own row (its totals, its barème, its fingerprint) cannot change while the year is frozen.
CALCUL_VALIDE_FIGE = pgtrigger.Trigger(
    name="calcul_valide_fige",
    when=pgtrigger.Before,
    operation=pgtrigger.Update | pgtrigger.Delete,
    condition=pgtrigger.Q(old__valide=True),
    declare=[("statut_fige", "text")],
    func=f"""
        SELECT statut INTO statut_fige FROM {CAMPAGNE}
        WHERE id = OLD.campagne_id AND statut IN {STATUTS_FIGES_SQL};
        IF FOUND THEN
            RAISE EXCEPTION 'Calcul n° % validé (campagne %) : % refusé.', OLD.id, statut_fige, TG_OP
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    """,  # noqa: S608 - module constants, no user input
)

# Four-eyes rule in the database: only a finished run that is not a simulation, never by whoever launched it.
APPROBATION_VALIDE = pgtrigger.Trigger(
    name="approbation_recevable",
    when=pgtrigger.Before,
    operation=pgtrigger.Insert,
    declare=[("calcul", "record")],
    func="""
        SELECT lance_par_id, simulation, statut INTO calcul FROM mutualisation_calcul WHERE id = NEW.calcul_id;
        IF calcul.lance_par_id IS NOT DISTINCT FROM NEW.membre_id THEN
            RAISE EXCEPTION 'Le membre qui a lancé le calcul n° % ne peut pas l''approuver.', NEW.calcul_id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF calcul.simulation OR calcul.statut <> 'termine' THEN
            RAISE EXCEPTION 'Le calcul n° % n''est pas un calcul terminé de la campagne : il ne peut être approuvé.',
                NEW.calcul_id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    """,
)


def historique_immuable(nom: str, *, sauf_annulation: str | None = None) -> pgtrigger.Trigger:
    """History rows are never deleted; they change only once, when a reopening supersedes them
    (``sauf_annulation``: the column that reopening fills, NULL until then)."""
    if sauf_annulation is None:
        return pgtrigger.Protect(name=f"{nom}_immuable", operation=pgtrigger.Update | pgtrigger.Delete)
    return pgtrigger.Trigger(
        name=f"{nom}_immuable",
        when=pgtrigger.Before,
        operation=pgtrigger.Update | pgtrigger.Delete,
        func=f"""
            IF TG_OP = 'DELETE' OR OLD.{sauf_annulation} IS NOT NULL
               OR (to_jsonb(NEW) - '{sauf_annulation}') IS DISTINCT FROM (to_jsonb(OLD) - '{sauf_annulation}') THEN
                RAISE EXCEPTION 'Historique de la campagne : % refusé sur % (seule une réouverture le complète).',
                    TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        """,
    )
