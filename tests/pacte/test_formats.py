from datetime import date
from decimal import Decimal

import pytest

from pacte.formats import format_date, format_euros, format_nombre, format_pourcentage

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (Decimal("1234567.89"), f"1{NBSP}234{NBSP}567,89{NBSP}€"),
        (Decimal("-223500000"), f"-223{NBSP}500{NBSP}000,00{NBSP}€"),
        (Decimal("0.005"), f"0,01{NBSP}€"),
        (Decimal("-0.004"), f"0,00{NBSP}€"),
        (3300, f"3{NBSP}300,00{NBSP}€"),
        (None, "—"),
    ],
)
def test_format_euros(valeur, attendu):
    assert format_euros(valeur) == attendu


def test_format_nombre_et_pourcentage_et_date():
    assert format_nombre(120000) == f"120{NBSP}000"
    assert format_pourcentage(Decimal("0.05")) == f"5{NBSP}%"
    assert format_pourcentage(Decimal("0.075"), 1) == f"7,5{NBSP}%"
    assert format_date(date(2013, 12, 31)) == "31/12/2013"
