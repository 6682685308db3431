"""Who does what in the mutualisation (domain.md §1)."""

from pacte.enums import Role
from pacte.roles import ajouter_permissions

ajouter_permissions(
    Role.EQUIPE_USH,
    {
        "mutualisation.importer_donnees",
        "mutualisation.modifier_bareme",
        "mutualisation.lancer_calcul",
        "mutualisation.voir_resultats",
        "mutualisation.view_bareme",
        "mutualisation.view_importfichier",
        "mutualisation.voir_audit",
    },
)
ajouter_permissions(
    Role.COMMISSION,
    {
        "mutualisation.modifier_bareme",
        "mutualisation.lancer_calcul",
        "mutualisation.ajuster",
        "mutualisation.voir_resultats",
        "mutualisation.view_bareme",
        # The campaign's life (docs/cycle-campagne.md); reopening is the administrator's alone (all permissions).
        "mutualisation.approuver_calcul",
        "mutualisation.notifier_campagne",
        "mutualisation.clore_campagne",
        "mutualisation.voir_audit",
    },
)
ajouter_permissions(Role.COMITE_SUIVI, {"mutualisation.voir_resultats", "mutualisation.view_bareme"})
ajouter_permissions(Role.SECRETARIAT, {"mutualisation.voir_resultats", "mutualisation.view_bareme"})
ajouter_permissions(Role.REFERENT_REGIONAL, {"mutualisation.voir_resultats", "mutualisation.view_bareme"})
ajouter_permissions(Role.ORGANISME, {"mutualisation.voir_avis"})
# What-if simulation (docs/simulation.md): the commission authors variants and launches them; the USH team, which
# prepares the commission's work, reads them and their comparison with the reference run.
ajouter_permissions(Role.COMMISSION, {"mutualisation.simuler", "mutualisation.voir_simulations"})
ajouter_permissions(Role.EQUIPE_USH, {"mutualisation.voir_simulations"})
