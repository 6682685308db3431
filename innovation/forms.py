from django import forms

from innovation.enums import TypeAide
from innovation.models import Theme
from pacte.appels.forms import DSFR_INPUT, DSFR_SELECT, montant_field


class DepotForm(forms.Form):
    intitule = forms.CharField(label="Intitulé du projet", max_length=255, widget=forms.TextInput(attrs=DSFR_INPUT))
    resume = forms.CharField(label="Résumé du projet", widget=forms.Textarea(attrs={**DSFR_INPUT, "rows": 4}))
    theme = forms.ModelChoiceField(label="Thème", queryset=Theme.objects.filter(actif=True),
                                   widget=forms.Select(attrs=DSFR_SELECT))
    type_aide = forms.ChoiceField(label="Type d'aide", choices=TypeAide.choices,
                                  widget=forms.Select(attrs=DSFR_SELECT))
    taux_pret = forms.DecimalField(label="Taux du prêt bonifié (%)", required=False, max_digits=6, decimal_places=2,
                                   min_value=0, max_value=100, localize=True, widget=forms.TextInput(attrs=DSFR_INPUT))
    duree_pret_mois = forms.IntegerField(label="Durée du prêt (mois)", required=False, min_value=1,
                                         widget=forms.NumberInput(attrs=DSFR_INPUT))
    montant_demande = montant_field("Montant demandé (€)")
    cout_total = montant_field("Coût total du projet (€)")
    autres_financements_publics = montant_field("Autres financements publics (€)", initial=0)
    date_debut = forms.DateField(label="Début du projet", widget=forms.DateInput(attrs={**DSFR_INPUT, "type": "date"}))
    duree_mois = forms.IntegerField(label="Durée du projet (mois)", min_value=1,
                                    widget=forms.NumberInput(attrs=DSFR_INPUT))

    def donnees(self) -> dict:
        donnees = dict(self.cleaned_data)
        if donnees["taux_pret"] is not None:
            donnees["taux_pret"] = donnees["taux_pret"] / 100
        return donnees


class ConventionForm(forms.Form):
    reference = forms.CharField(label="Référence de la convention", max_length=60,
                                widget=forms.TextInput(attrs=DSFR_INPUT))
    signee_le = forms.DateField(label="Signée le", widget=forms.DateInput(attrs={**DSFR_INPUT, "type": "date"}))


class EnveloppeForm(forms.Form):
    annee = forms.IntegerField(label="Année", min_value=2013, max_value=2100,
                               widget=forms.NumberInput(attrs=DSFR_INPUT))
    montant = montant_field("Montant de l'enveloppe (€)")
    motif = forms.CharField(label="Fondement", required=False, widget=forms.TextInput(attrs=DSFR_INPUT))


class ConditionsForm(forms.Form):
    """The Comité d'orientation's financing terms; the ranges are checked by services.conditions_fixer."""

    type_aide = forms.ChoiceField(label="Type d'aide", choices=TypeAide.choices,
                                  widget=forms.Select(attrs=DSFR_SELECT))
    taux_pourcent = forms.DecimalField(label="Taux du prêt bonifié (%)", required=False, localize=True,
                                       help_text="De 0 à 10 %, deux décimales au plus ; vide pour une subvention.",
                                       widget=forms.TextInput(attrs=DSFR_INPUT))
    duree_annees = forms.IntegerField(label="Durée du prêt (années)", required=False,
                                      help_text="De 1 à 30 ans ; vide pour une subvention.",
                                      widget=forms.NumberInput(attrs=DSFR_INPUT))
