"""Where rows come from, checked by PostgreSQL once per statement instead of once per row: a loan's import
(``Pret.import_source``), a result line's run (``ResultatOrganisme.calcul``).

A foreign key checks each inserted row on its own, at commit: for a 200 000-line extract, 200 000 lookups of the
same import row, a quarter of the import's time (docs/performances.md, « Import : la provenance des prêts »).
The column keeps its index but not its foreign key; these triggers keep what the key guaranteed, raw SQL included,
with the same error code (foreign_key_violation):
- a statement that inserts or updates loans fails if one of them names an import that does not exist (one
  anti-join over the statement's rows);
- deleting an import, or changing its id, fails while a loan names it (``on_delete=PROTECT`` in the database).
TRUNCATE is not covered (a foreign key would refuse it): it is an administrator's operation, never the
application's.

The same for a run's result lines: 60 000 lookups of the same run at the commit of a run at 100 × national scale
(docs/performances.md, « Calcul : les résultats rattachés à leur calcul par instruction »). Deleting a run through
the ORM deletes its lines first (``on_delete=CASCADE``), then the run.
"""

from pacte.declencheurs import cle_par_instruction, protegee_par_instruction

PRETS = "mutualisation_pret"
IMPORTS = "mutualisation_importfichier"
RESULTATS = "mutualisation_resultatorganisme"
CALCULS = "mutualisation_calcul"

# On the loans: at each INSERT and each UPDATE.
IMPORT_CONNU = cle_par_instruction("pret_import_connu", colonne="import_source_id", cible=IMPORTS,
                                   message="Prêt rattaché à un import inexistant")

# On the imports: one named by a loan can be neither deleted nor renumbered.
IMPORT_PROTEGE = protegee_par_instruction("import_protege_par_ses_prets", referencant=PRETS,
                                          colonne="import_source_id",
                                          refus="Import n° % : des prêts en proviennent, % refusé.")

# On the result lines, and on their runs.
CALCUL_CONNU = cle_par_instruction("resultat_calcul_connu", colonne="calcul_id", cible=CALCULS,
                                   message="Résultat rattaché à un calcul inexistant")
CALCUL_PROTEGE = protegee_par_instruction("calcul_protege_par_ses_resultats", referencant=RESULTATS,
                                          colonne="calcul_id",
                                          refus="Calcul n° % : des résultats en dépendent, % refusé.")
