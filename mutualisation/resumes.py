"""Each organism's loans digest (count, XOR of the rows' 64-bit hashes), kept up to date by PostgreSQL as loans
are written, instead of being recomputed over every loan at every run.

The digest is the one mutualisation.chargement used to compute in each run (``HACHAGE_PRET``): an order-independent
multiset hash, so it can be maintained statement by statement, exactly. An inserted loan adds one to its organism's
count and XORs its hash in; a deleted loan subtracts one and XORs it out (XOR is its own inverse); an update does
both, for the old row and the new. The maintained table therefore always holds what the full recomputation would give
(tests/mutualisation/test_resumes.py compares them after every kind of write). Recomputing it over 5 million loans
took 2.3 s of each run at 100 × national scale; maintaining it costs each import one hash per written line
(docs/performances.md, « Calcul : les résumés des prêts tenus à jour »).

TRUNCATE of the loans empties the digests. A bulk load that disables the loans' triggers (the benchmarks' generated
data) must call ``resumes_reconstruire`` afterwards.
"""

from contextlib import nullcontext

import pgtrigger
from django.db import connection

from pacte.declencheurs import par_instruction

PRETS = "mutualisation_pret"
RESUMES = "mutualisation_resumeprets"

# PostgreSQL's hash functions are stable across versions (hash partitioning relies on them); a numeric hashes by
# value (1.0 = 1.00, as in calculs.empreinte_entrees); the loan number is the primary key, so no two rows cancel out.
HACHAGE_PRET = """hash_record_extended(ROW(numero_pret, numero_operation, siren, produit, date_signature, montant,
                                         nb_logements, zone), 2013)"""

# Rows of a statement's transition tables folded into the digests; ORDER BY siren: two statements at once lock the
# digests they change in the same order (no deadlock).
_FUSIONNER = f"""
INSERT INTO {RESUMES} AS r (siren, nombre, empreinte)
SELECT siren, sum(sens), bit_xor(hachage) FROM ({{lignes}}) l GROUP BY siren ORDER BY siren
ON CONFLICT (siren) DO UPDATE SET nombre = r.nombre + excluded.nombre, empreinte = r.empreinte # excluded.empreinte;
RETURN NULL;
"""  # noqa: S608 - module constants, no user input


def _lignes(table: str, sens: int) -> str:
    return f"SELECT siren, {sens} AS sens, {HACHAGE_PRET} AS hachage FROM {table}"  # noqa: S608 - constants


RESUMES_TENUS = [
    par_instruction("pret_resume", "ins", _FUSIONNER.format(lignes=_lignes("nouvelles", 1))),
    par_instruction("pret_resume", "upd",
                    _FUSIONNER.format(lignes=f"{_lignes('anciennes', -1)} UNION ALL {_lignes('nouvelles', 1)}")),
    par_instruction("pret_resume", "del", _FUSIONNER.format(lignes=_lignes("anciennes", -1))),
    pgtrigger.Trigger(name="pret_resume_vider", level=pgtrigger.Statement, when=pgtrigger.After,
                      operation=pgtrigger.Truncate,
                      func=f"DELETE FROM {RESUMES}; RETURN NULL;"),  # noqa: S608 - module constants
]

# The digests recomputed from the loans themselves: what the maintained table must always equal.
RECALCULES_SQL = f"""
SELECT siren, count(*), bit_xor({HACHAGE_PRET}) FROM {PRETS} GROUP BY siren
"""  # noqa: S608 - module constants, no user input

# The maintained digests of the organisms that have loans (a digest falls back to 0 loans, XOR 0, when its last
# loan goes; it is then left out, as the recomputation leaves it out).
TENUS_SQL = f"SELECT siren, nombre, empreinte FROM {RESUMES} WHERE nombre <> 0"  # noqa: S608 - constants


def resumes_reconstruire(curseur=None) -> None:
    """Recompute every digest from the loans (after a bulk load with the loans' triggers disabled), with the
    caller's cursor if given."""
    with nullcontext(curseur) if curseur is not None else connection.cursor() as c:
        c.execute(f"DELETE FROM {RESUMES}")  # noqa: S608 - constants
        c.execute(f"INSERT INTO {RESUMES} (siren, nombre, empreinte) {RECALCULES_SQL}")  # noqa: S608 - constants
