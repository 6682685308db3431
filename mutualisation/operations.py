"""One operation, one organism, one zone: checked by PostgreSQL at every statement that writes loans.

The loans of an operation (same ``numero_operation``, not empty) must all belong to the same organism and, where they
carry one, have the same zone (domain.md §3; an empty zone is that of a PAM or éco-prêt loan inside the operation).
The import refuses such a file with its own line-by-line messages (mutualisation.imports) before writing; this
trigger is the rule itself, for every other way of writing loans (the admin, the API, SQL): after each INSERT or
UPDATE of loans, the operations it touched are checked (through the index on ``numero_operation``) and the statement
fails, with the operations named, if one of them disagrees. Deleting loans cannot break the rule.

So a run no longer scans every operation of the extract to look for a disagreement that cannot be there (2.4 s of
each run at 100 × national scale, docs/performances.md « Calcul : la règle des opérations tenue par la base »).
An operation moves to another organism or zone in one statement (all its loans at once).
"""

from pacte.declencheurs import par_instruction

PRETS = "mutualisation_pret"

MESSAGE = "Opérations dont les prêts diffèrent d''organisme ou de zone :"

# The operations among ``{touchees}`` (a query of operation numbers) whose loans disagree; the message lists them as
# Python sorts str.
INCOHERENTES_SQL = f"""
SELECT p.numero_operation FROM {PRETS} p
WHERE p.numero_operation IN ({{touchees}})
GROUP BY p.numero_operation
HAVING min(p.siren) <> max(p.siren) OR min(nullif(p.zone, '')) <> max(nullif(p.zone, ''))
"""  # noqa: S608 - module constants, no user input

_VERIFIER = f"""
SELECT string_agg(numero_operation, ', ' ORDER BY numero_operation COLLATE "C") INTO fautives FROM (
    {INCOHERENTES_SQL.format(touchees="SELECT numero_operation FROM nouvelles WHERE numero_operation <> ''")}
) i;
IF fautives IS NOT NULL THEN
    RAISE EXCEPTION '{MESSAGE} %.', fautives USING ERRCODE = 'check_violation';
END IF;
RETURN NULL;
"""  # noqa: S608 - module constants, no user input


# At each INSERT and each UPDATE (deleting loans cannot break the rule).
OPERATIONS_COHERENTES = [par_instruction("pret_operation_coherente", evenement, _VERIFIER,
                                         declare=[("fautives", "text")]) for evenement in ("ins", "upd")]
