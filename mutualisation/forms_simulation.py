"""The barème variant form (docs/simulation.md): the barème's fields, rates as percentages, and a name."""

from django import forms

from mutualisation.forms import CENT, CHAMPS_POURCENTAGE, BaremeForm


class VarianteForm(BaremeForm):
    nom = forms.CharField(
        label="Nom de la variante", max_length=120,
        help_text="Par exemple « Exonérés à 50 % de leur aide ».",
        widget=forms.TextInput(attrs={"class": "fr-input"}),
    )

    field_order = ["nom"]

    def valeurs(self) -> dict:
        """Every barème field, in the units of the barème (fractions for percentages)."""
        return {
            nom: valeur / CENT if nom in CHAMPS_POURCENTAGE else valeur
            for nom, valeur in self.cleaned_data.items() if nom != "nom"
        }
