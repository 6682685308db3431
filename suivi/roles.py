"""Who does what in the follow-up of the pact (domain.md §1 and §4)."""

from pacte.enums import Role
from pacte.roles import ajouter_permissions

LECTURE = {"suivi.voir_tableaux_de_bord", "suivi.view_reunion", "suivi.view_pointdeblocage",
           "suivi.view_bonnepratique", "suivi.view_diagnosticregional", "suivi.view_miseajourengagement"}

ajouter_permissions(Role.EQUIPE_USH, LECTURE | {"mutualisation.importer_donnees"})
ajouter_permissions(Role.COMMISSION, LECTURE)
ajouter_permissions(Role.COMITE_SUIVI, LECTURE)
ajouter_permissions(Role.SECRETARIAT, LECTURE | {"suivi.gerer_comite", "suivi.produire_rapport",
                                                 "suivi.modifier_diagnostic"})
ajouter_permissions(Role.REFERENT_REGIONAL, LECTURE | {"suivi.modifier_diagnostic"})
ajouter_permissions(Role.COMITE_ORIENTATION, LECTURE)
