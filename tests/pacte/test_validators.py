import pytest

from pacte.validators import siren_valide


@pytest.mark.parametrize("siren", ["552100554", "732829320", "200000016", "000000000"])
def test_siren_valides(siren):
    assert siren_valide(siren)


@pytest.mark.parametrize(
    "siren", ["552100555", "55210055", "5521005540", "55210055a", "", None, 552100554, " 552100554"]
)
def test_siren_invalides(siren):
    assert not siren_valide(siren)
