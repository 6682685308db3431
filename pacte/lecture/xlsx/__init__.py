"""Stream the first worksheet of an .xlsx as rows of text, as openpyxl's read-only mode would give them.

openpyxl builds an element and a dict per cell (≈ 6 600 rows of 9 cells a second). Here the sheet is inflated in
blocks of `BLOC` bytes (memory bounded: a row larger than `RANGEE_MAX` is refused), each piece cut after its last
`</row>`, and read in one of three ways, the first that applies:

1. by shapes (`gabarits._bloc_par_gabarits`): the rows of a piece usually differ only by their values and numbers.
   A row's shape is its XML without the text between tags and without digits; the first row of each shape is read
   by the row patterns below, then every value of the piece is found by one regular expression and the values of
   each cell are converted a column at a time (a column of numbers already written as openpyxl would give them back
   is kept as it is). Almost all the work is done in C (re, bytes, numpy).
2. row by row (`rangees._lire_morceau`): rows and cells of the usual shape (what Excel, LibreOffice and openpyxl
   write: attributes r, s, t in that order, double quotes, no blank inside a cell) matched by compiled patterns,
   each cell converted in Python (`Cellules.texte`).
3. by openpyxl's own row parser (`recours`: `WorkSheetParser`, through defusedxml), started again from the top and
   skipping the rows already handed on, for anything else: a comment, CDATA, a processing instruction, a namespace
   prefix, another attribute order, single quotes, rows out of order. Unusual files stay exact, only slower.

The workbook's metadata (which sheet is first, date styles, the 1904 calendar, where the shared strings are) is read
by openpyxl itself, through defusedxml, from the small parts (`classeur`); only the sheet (`rangees`) and the shared
strings (`chaines`), the big parts, are read here. A DOCTYPE or an entity declaration in either is refused as
openpyxl refuses an entity.

The modules, each calling only those listed before it:

- `commun`: the bounds (`BLOC`, `RANGEE_MAX`), the XML patterns, the refusals, blocks of rows as columns;
- `cellules`: the text of a cell (`Cellules`, `_texte_cellule`, `texte_nombre`);
- `classeur`, `chaines`: the workbook's small parts, the shared strings;
- `gabarits`, `recours`, `rangees`: the sheet's rows, by shapes, by openpyxl's parser, and the choice of a way;
- `archive`, `morceaux`: the zip checks, then the sheet as pieces of a DataFrame (`morceaux_xlsx`, what
  `pacte.lecture.fichier.lire_morceaux` calls for an .xlsx).
"""

from pacte.lecture.xlsx.archive import verifier_archive, verifier_defusedxml
from pacte.lecture.xlsx.cellules import texte_nombre
from pacte.lecture.xlsx.morceaux import morceaux_xlsx

__all__ = ["morceaux_xlsx", "texte_nombre", "verifier_archive", "verifier_defusedxml"]
