"""Forms of the mutualisation pages: they read and check input; the services do the writing."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator

from mutualisation.enums import TypeImport
from mutualisation.models import Bareme
from pacte.televersement import message_trop_gros, mo
from pacte.validators import valider_siren

CENT = Decimal(100)
CENTIEME = Decimal("0.01")
# Barème fields held as fractions (0.05) and typed as percentages (5).
CHAMPS_POURCENTAGE = (
    "taux_rehabilitation", "poids_cotisation_cglls", "poids_loyers", "poids_patrimoine", "taux_aide_exoneres",
)
CHAMPS_MONTANT = ("montant_zone_1", "montant_zone_2_3", "montant_restructuration", "frais_gestion")
LIBELLES_POURCENTAGE = {
    "taux_rehabilitation": "Taux de réhabilitation (% du montant des prêts PAM et Éco-prêt)",
    "poids_cotisation_cglls": "Poids de la cotisation CGLLS (%)",
    "poids_loyers": "Poids des loyers (%)",
    "poids_patrimoine": "Poids du patrimoine (%)",
    "taux_aide_exoneres": "Taux d'aide des organismes exonérés (%)",
}


def _decimal(libelle: str, *, maximum=None, aide="", decimales: int = 2) -> forms.DecimalField:
    validateurs = [MaxValueValidator(maximum)] if maximum is not None else []
    return forms.DecimalField(
        label=libelle, help_text=aide, max_digits=15, decimal_places=decimales, localize=True,
        validators=[MinValueValidator(0), *validateurs],
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "fr-input"}),
    )


class BaremeForm(forms.Form):
    """The year's barème; rates and weights are typed as percentages and stored as fractions."""

    montant_zone_1 = _decimal("Montant en zone 1 et 1 bis (€ par logement)")
    montant_zone_2_3 = _decimal("Montant en zones 2 et 3 (€ par logement)")
    taux_rehabilitation = _decimal(LIBELLES_POURCENTAGE["taux_rehabilitation"], maximum=CENT)
    montant_restructuration = _decimal("Montant de restructuration (€ par logement)")
    plafond_restructuration = forms.IntegerField(
        label="Plafond national de restructuration (logements par an)", min_value=0,
        widget=forms.NumberInput(attrs={"class": "fr-input"}),
    )
    poids_cotisation_cglls = _decimal(LIBELLES_POURCENTAGE["poids_cotisation_cglls"], maximum=CENT)
    poids_loyers = _decimal(LIBELLES_POURCENTAGE["poids_loyers"], maximum=CENT)
    poids_patrimoine = _decimal(LIBELLES_POURCENTAGE["poids_patrimoine"], maximum=CENT,
                                aide="Les trois poids doivent faire 100 %.")
    frais_gestion = _decimal("Frais de gestion (€)")
    taux_aide_exoneres = _decimal(LIBELLES_POURCENTAGE["taux_aide_exoneres"], maximum=CENT)

    @classmethod
    def depuis_bareme(cls, bareme: Bareme | None, **kwargs) -> "BaremeForm":
        initial = {}
        if bareme is not None:
            initial = {nom: getattr(bareme, nom) for nom in (*CHAMPS_MONTANT, "plafond_restructuration")}
            initial |= {nom: (getattr(bareme, nom) * CENT).quantize(CENTIEME) for nom in CHAMPS_POURCENTAGE}
        return cls(initial=initial, **kwargs)

    def valeurs_modifiees(self) -> dict[str, Decimal | int]:
        """What the user changed, in the units of the barème (fractions for percentages)."""
        return {
            nom: self.cleaned_data[nom] / CENT if nom in CHAMPS_POURCENTAGE else self.cleaned_data[nom]
            for nom in self.changed_data
        }


class AjustementForm(forms.Form):
    siren = forms.CharField(
        label="SIREN de l'organisme", max_length=9, min_length=9, validators=[valider_siren],
        help_text="9 chiffres.", widget=forms.TextInput(attrs={"class": "fr-input", "inputmode": "numeric"}),
    )
    montant = forms.DecimalField(
        label="Montant (€)", max_digits=15, decimal_places=2, localize=True,
        help_text="Positif pour augmenter l'aide, négatif pour la réduire.",
        widget=forms.TextInput(attrs={"class": "fr-input", "inputmode": "decimal"}),
    )
    motif = forms.CharField(
        label="Motif de la décision de la commission",
        error_messages={"required": "Un ajustement exige un motif écrit."},
        help_text="Obligatoire : il figure dans l'avis de l'organisme et dans le journal d'audit.",
        widget=forms.Textarea(attrs={"class": "fr-input", "rows": 3}),
    )

    def clean_motif(self) -> str:
        motif = self.cleaned_data["motif"].strip()
        if not motif:
            raise forms.ValidationError("Un ajustement exige un motif écrit.")
        return motif


class ImportForm(forms.Form):
    type_fichier = forms.ChoiceField(
        label="Type de fichier", choices=[("", "Choisir un type"), *TypeImport.choices],
        widget=forms.Select(attrs={"class": "fr-select"}),
    )
    fichier = forms.FileField(
        label="Fichier", help_text="CSV (séparateur ; ou ,) ou XLSX, première feuille.",
        widget=forms.ClearableFileInput(attrs={"class": "fr-upload", "accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fichier"].help_text += f" {mo(settings.PACTE_TAILLE_MAX_IMPORT)} au plus."

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > settings.PACTE_TAILLE_MAX_IMPORT:
            raise forms.ValidationError(message_trop_gros(fichier.size))
        if not fichier.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Format non reconnu : déposez un fichier .csv ou .xlsx.")
        return fichier


class ConfirmationImportForm(forms.Form):
    jeton = forms.CharField(widget=forms.HiddenInput, max_length=64)
