"""Who does what in the calls for projects (domain.md §1, §5, §6). Imported by the two apps' ready()."""

from pacte.enums import Role
from pacte.roles import ajouter_permissions

CONSULTER = {"pacte.consulter_candidatures"}
VOIR = CONSULTER | {"pacte.voir_candidatures"}

ajouter_permissions(Role.ORGANISME, CONSULTER | {"pacte.deposer_candidature"})
# The committee members examine files, ask for completions and score them.
ajouter_permissions(Role.COMITE_ORIENTATION, VOIR | {"pacte.instruire_candidature", "pacte.noter_candidature"})
# The USH team manages the calls and decides (the call's manager), envelopes, conventions and payments.
ajouter_permissions(Role.EQUIPE_USH, VOIR | {"pacte.instruire_candidature", "pacte.decider_candidature",
                                             "pacte.gerer_appels"})
ajouter_permissions(Role.COMITE_SUIVI, VOIR)
ajouter_permissions(Role.SECRETARIAT, VOIR)
