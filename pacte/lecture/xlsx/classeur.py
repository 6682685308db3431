"""The workbook's small parts (workbook, relations, styles), read by openpyxl itself through defusedxml: which
sheet is first, the date styles, the 1904 calendar, where the shared strings are."""

from __future__ import annotations

import io
import warnings

from openpyxl.reader.excel import ExcelReader
from openpyxl.xml.constants import SHARED_STRINGS


class Metadonnees(ExcelReader):
    """openpyxl's reader minus what is big: the shared strings and the sheets are located, not read."""

    def read_strings(self):
        partie = self.package.find(SHARED_STRINGS)
        self.chemin_chaines = partie.PartName[1:] if partie is not None else None

    def read_worksheets(self):
        # The first worksheet openpyxl would list (its rels target present in the archive, not a chartsheet).
        self.chemin_feuille = next((rel.target for _, rel in self.parser.find_sheets()
                                    if rel.target in self.valid_files and "chartsheet" not in rel.Type), None)


def metadonnees(archive_octets: bytes) -> Metadonnees:
    lecteur = Metadonnees(io.BytesIO(archive_octets), read_only=True, data_only=True)
    with warnings.catch_warnings():  # features openpyxl drops (data validation…) do not matter here
        warnings.simplefilter("ignore")
        lecteur.read()
    return lecteur
