import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import CommandError

from mutualisation import calculs, chargement, exports, selectors
from mutualisation.enums import StatutCalcul
from mutualisation.models import Calcul
from mutualisation.services.campagne import (
    ErreurCampagne,
    ajustement_enregistrer,
    bareme_modifier,
    bareme_obtenir,
    calcul_executer,
    calcul_lancer,
)
from mutualisation.services.cycle import APPROBATIONS_REQUISES, calcul_approuver_par_email
from pacte.audit import CommandeAuditee
from pacte.formats import format_euros

ENTIERS = {"plafond_restructuration"}


def _valeur(champ: str, texte: str) -> Decimal | int:
    try:
        return int(texte) if champ in ENTIERS else Decimal(texte.replace(",", "."))
    except (ValueError, InvalidOperation):
        raise CommandError(f"--set {champ}={texte} : nombre attendu.") from None


class Command(CommandeAuditee):
    help = "Mutualisation financière Hlm : barème, ajustements, calcul, export, validation."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        bareme = actions.add_parser("bareme", help="affiche le barème d'une année ; --set champ=valeur le modifie")
        bareme.add_argument("annee", type=int)
        bareme.add_argument("--set", action="append", default=[], metavar="CHAMP=VALEUR", dest="modifications")
        ajuster = actions.add_parser("ajuster", help="enregistre un ajustement de la commission")
        ajuster.add_argument("annee", type=int)
        ajuster.add_argument("siren")
        ajuster.add_argument("montant")
        ajuster.add_argument("--motif", required=True)
        calculer = actions.add_parser("calculer", help="calcule l'année sur le worker et attend")
        calculer.add_argument("annee", type=int)
        calculer.add_argument("--sync", action="store_true", help="calcule dans ce processus, par le même code")
        calculer.add_argument("--delai", type=int, default=600, help="attente maximale du worker (s)")
        exporter = actions.add_parser("exporter", help="écrit le CSV des résultats du dernier calcul")
        exporter.add_argument("annee", type=int)
        exporter.add_argument("--output", required=True, type=Path)
        valider = actions.add_parser("valider", help="enregistre l'approbation du dernier calcul par un membre de la "
                                                     "commission (deux approbations distinctes le valident)")
        valider.add_argument("annee", type=int)
        valider.add_argument("--par", required=True, metavar="EMAIL", help="adresse du membre de la commission")
        notifier = actions.add_parser("notifier", help="écrit les avis de tous les organismes et l'échéancier "
                                                       "(CSV, XLSX) du calcul validé de l'année")
        notifier.add_argument("annee", type=int)
        notifier.add_argument("--output", required=True, type=Path, metavar="DOSSIER")
        bilan = actions.add_parser("bilan", help="écrit le bilan annuel (PDF) du calcul validé de l'année")
        bilan.add_argument("annee", type=int)
        bilan.add_argument("--output", required=True, type=Path, metavar="FICHIER.pdf")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except (ErreurCampagne, calculs.ErreurMutualisation) as erreur:
            raise CommandError(str(erreur)) from None

    def _bareme(self, annee, modifications, **_):
        if modifications:
            valeurs = {}
            for modification in modifications:
                champ, egal, texte = modification.partition("=")
                if not egal:
                    raise CommandError(f"--set {modification} : forme attendue champ=valeur.")
                valeurs[champ.strip()] = _valeur(champ.strip(), texte.strip())
            bareme = bareme_modifier(acting_user=None, annee=annee, valeurs=valeurs)
        else:
            bareme = bareme_obtenir(annee=annee)
        for champ in chargement.CHAMPS_BAREME:
            self.stdout.write(f"{champ:<26} {getattr(bareme, champ)}")

    def _ajuster(self, annee, siren, montant, motif, **_):
        ajustement = ajustement_enregistrer(acting_user=None, annee=annee, siren=siren,
                                            montant=_valeur("montant", montant), motif=motif)
        self.stdout.write(f"Ajustement de {format_euros(ajustement.montant)} enregistré pour {siren} ({annee}).")

    def _calculer(self, annee, sync, delai, **_):
        calcul = calcul_lancer(acting_user=None, annee=annee, sur_le_worker=not sync)
        if sync:
            calcul = calcul_executer(calcul.pk)
        else:
            calcul = self._attendre(calcul, delai)
        if calcul.statut != StatutCalcul.TERMINE:
            raise CommandError(f"Le calcul n° {calcul.pk} a échoué : {calcul.message}")
        totaux = calcul.totaux
        self.stdout.write(
            f"Calcul n° {calcul.pk} terminé : {totaux['nb_organismes']} organismes concernés, "
            f"aides {format_euros(Decimal(totaux['total_aides']))}, "
            f"contributions {format_euros(Decimal(totaux['total_contributions']))}, "
            f"empreinte {calcul.empreinte_entrees[:12]}."
        )

    def _attendre(self, calcul: Calcul, delai: int) -> Calcul:
        limite = time.monotonic() + delai
        while time.monotonic() < limite:
            calcul.refresh_from_db()
            self.stdout.write(f"\rCalcul n° {calcul.pk} : {calcul.get_statut_display()} {calcul.avancement} %",
                              ending="")
            self.stdout.flush()
            if calcul.statut in (StatutCalcul.TERMINE, StatutCalcul.ECHEC):
                self.stdout.write("")
                return calcul
            time.sleep(0.25)
        raise CommandError(f"Le worker n'a pas terminé le calcul n° {calcul.pk} en {delai} s : est-il démarré ?")

    def _exporter(self, annee, output, **_):
        calcul = selectors.dernier_calcul(annee)
        if calcul is None:
            raise CommandError(f"Aucun calcul terminé pour {annee}.")
        output.write_bytes(exports.export_csv(calcul))
        self.stdout.write(f"{calcul.resultats.count()} lignes écrites dans {output} (calcul n° {calcul.pk}).")

    def _valider(self, annee, par, **_):
        approbation = calcul_approuver_par_email(annee=annee, email=par)
        calcul = approbation.calcul
        calcul.refresh_from_db()
        nombre = calcul.approbations.filter(annulee_par_reouverture__isnull=True).count()
        if calcul.valide:
            self.stdout.write(f"Calcul n° {calcul.pk} approuvé par {par} ({nombre}/{APPROBATIONS_REQUISES}) : "
                              f"il est validé, l'année {annee} est figée.")
        else:
            self.stdout.write(f"Calcul n° {calcul.pk} approuvé par {par} ({nombre}/{APPROBATIONS_REQUISES}) : "
                              "une autre approbation d'un membre de la commission le validera.")

    def _notifier(self, annee, output, **_):
        from mutualisation.documents.lots import lot_ecrire
        from mutualisation.documents.source import exiger_calcul_valide

        calcul = exiger_calcul_valide(annee)

        def progression(faits: int, total: int) -> None:
            self.stdout.write(f"\rAvis {faits}/{total}", ending="")
            self.stdout.flush()

        lot = lot_ecrire(calcul, output, progression=progression)
        self.stdout.write("")
        self.stdout.write(
            f"{len(lot.avis)} avis et l'échéancier ({', '.join(f.name for f in lot.echeancier)}) écrits dans {output} "
            f"en {lot.duree:.1f} s (calcul validé n° {calcul.pk}) : {lot.totaux['nb_versements']} versements "
            f"({format_euros(lot.totaux['versements'])}), {lot.totaux['nb_appels']} appels de fonds "
            f"({format_euros(lot.totaux['appels'])})."
        )

    def _bilan(self, annee, output, **_):
        from mutualisation.documents.bilan import bilan_pdf
        from mutualisation.documents.source import exiger_calcul_valide

        calcul = exiger_calcul_valide(annee)
        output.write_bytes(bilan_pdf(calcul))
        self.stdout.write(f"Bilan {annee} écrit dans {output} (calcul validé n° {calcul.pk}).")
