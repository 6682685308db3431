# The browser fixtures of tests/navigateur, for the Content-Security-Policy test of this package.
from tests.navigateur.conftest import (  # noqa: F401
    captures,
    chromium,
    comptes,
    hachage_rapide,
    onglet,
    ouvrir_onglet,
    se_connecter,
)
