from django import forms

from pacte.appels.enums import NatureVersement

DSFR_INPUT = {"class": "fr-input"}
DSFR_SELECT = {"class": "fr-select"}


def montant_field(label: str, **options) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=15, decimal_places=2, min_value=0, localize=True,
                              widget=forms.TextInput(attrs={**DSFR_INPUT, "inputmode": "decimal"}), **options)


class TransitionForm(forms.Form):
    vers = forms.CharField(widget=forms.HiddenInput)
    motif = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs={**DSFR_INPUT, "rows": 2}))


class DecisionForm(forms.Form):
    retenue = forms.TypedChoiceField(label="Décision", coerce=lambda v: v == "oui",
                                     choices=[("oui", "Retenir le projet"), ("non", "Ne pas retenir le projet")],
                                     widget=forms.Select(attrs=DSFR_SELECT))
    montant = montant_field("Montant accordé (€)", required=False)
    motif = forms.CharField(label="Motifs de la décision", widget=forms.Textarea(attrs={**DSFR_INPUT, "rows": 3}))


class CommentaireForm(forms.Form):
    texte = forms.CharField(label="Commentaire", widget=forms.Textarea(attrs={**DSFR_INPUT, "rows": 2}))
    interne = forms.BooleanField(label="Interne au comité (invisible de l'organisme)", required=False)


class PieceForm(forms.Form):
    fichier = forms.FileField(label="Pièce jointe", help_text="PDF, PNG, JPEG, ODT, ODS, DOCX ou XLSX ; 10 Mo au plus.",
                              widget=forms.ClearableFileInput(attrs={"class": "fr-upload"}))


class VersementForm(forms.Form):
    nature = forms.ChoiceField(label="Nature", choices=NatureVersement.choices, widget=forms.Select(attrs=DSFR_SELECT))
    montant = montant_field("Montant de l'acompte (€)", required=False,
                            help_text="L'engagement vaut le montant accordé ; le solde, le reste à verser.")
    date_versement = forms.DateField(label="Date", widget=forms.DateInput(attrs={**DSFR_INPUT, "type": "date"}))


class NotesForm(forms.Form):
    def __init__(self, *args, criteres=(), **kwargs):
        super().__init__(*args, **kwargs)
        for critere in criteres:
            self.fields[f"critere_{critere.pk}"] = forms.IntegerField(
                label=f"{critere.libelle} (sur 20)", min_value=0, max_value=20,
                widget=forms.NumberInput(attrs=DSFR_INPUT))

    def notes(self) -> dict[int, int]:
        return {int(nom.removeprefix("critere_")): valeur for nom, valeur in self.cleaned_data.items()}
