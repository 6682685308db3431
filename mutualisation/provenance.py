"""The loans' provenance (``Pret.import_source``) checked by PostgreSQL once per statement instead of once per row.

A foreign key checks each inserted row on its own, at commit: for a 200 000-line extract, 200 000 lookups of the
same import row, a quarter of the import's time (docs/performances.md, « Import : la provenance des prêts »).
The column keeps its index but not its foreign key; these triggers keep what the key guaranteed, raw SQL included,
with the same error code (foreign_key_violation):
- a statement that inserts or updates loans fails if one of them names an import that does not exist (one
  anti-join over the statement's rows);
- deleting an import, or changing its id, fails while a loan names it (``on_delete=PROTECT`` in the database).
TRUNCATE is not covered (a foreign key would refuse it): it is an administrator's operation, never the
application's.
"""

import pgtrigger

from pacte.declencheurs import par_instruction

PRETS = "mutualisation_pret"
IMPORTS = "mutualisation_importfichier"

_IMPORT_INCONNU = f"""
IF EXISTS (SELECT 1 FROM nouvelles n WHERE n.import_source_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM {IMPORTS} f WHERE f.id = n.import_source_id)) THEN
    RAISE EXCEPTION 'Prêt rattaché à un import inexistant (% sur %).', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'foreign_key_violation';
END IF;
RETURN NULL;
"""  # noqa: S608 - module constants, no user input


# On the loans: at each INSERT and each UPDATE.
IMPORT_CONNU = [par_instruction("pret_import_connu", evenement, _IMPORT_INCONNU) for evenement in ("ins", "upd")]

# On the imports: one named by a loan can be neither deleted nor renumbered.
IMPORT_PROTEGE = pgtrigger.Trigger(
    name="import_protege_par_ses_prets",
    when=pgtrigger.Before,
    operation=pgtrigger.Delete | pgtrigger.Update,
    func=f"""
        IF TG_OP = 'UPDATE' AND OLD.id = NEW.id THEN  -- its status, counts, message: no lookup
            RETURN NEW;
        END IF;
        IF EXISTS (SELECT 1 FROM {PRETS} WHERE import_source_id = OLD.id) THEN
            RAISE EXCEPTION 'Import n° % : des prêts en proviennent, % refusé.', OLD.id, TG_OP
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    """,  # noqa: S608 - module constants, no user input
)
