from django import forms

from logements_accompagnes.enums import SECTIONS_ANNEXE_3, NaturePartenaire, SourceFinancement, TypePorteur
from pacte.appels.forms import DSFR_INPUT, DSFR_SELECT, montant_field
from pacte.models import Region

NB_PARTENAIRES = 3


class DepotForm(forms.Form):
    intitule = forms.CharField(label="Intitulé du projet", max_length=255, widget=forms.TextInput(attrs=DSFR_INPUT))
    resume = forms.CharField(label="Résumé du projet", widget=forms.Textarea(attrs={**DSFR_INPUT, "rows": 3}))
    type_porteur = forms.ChoiceField(label="Type de porteur", choices=TypePorteur.choices,
                                     widget=forms.Select(attrs=DSFR_SELECT))
    region = forms.ModelChoiceField(label="Région", queryset=Region.objects.all(),
                                    widget=forms.Select(attrs=DSFR_SELECT))
    montant_demande = montant_field("Montant demandé (€)")
    logements_prevus = forms.IntegerField(label="Logements prévus", min_value=1,
                                          widget=forms.NumberInput(attrs=DSFR_INPUT))
    menages_prevus = forms.IntegerField(label="Ménages à accompagner", min_value=1,
                                        widget=forms.NumberInput(attrs=DSFR_INPUT))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for champ, titre in SECTIONS_ANNEXE_3:
            self.fields[champ] = forms.CharField(label=titre, widget=forms.Textarea(attrs={**DSFR_INPUT, "rows": 3}))
        for i in range(1, NB_PARTENAIRES + 1):
            self.fields[f"partenaire_{i}_nom"] = forms.CharField(label=f"Partenaire {i} : nom", required=False,
                                                                 widget=forms.TextInput(attrs=DSFR_INPUT))
            self.fields[f"partenaire_{i}_nature"] = forms.ChoiceField(
                label=f"Partenaire {i} : nature", choices=NaturePartenaire.choices, required=False,
                widget=forms.Select(attrs=DSFR_SELECT))
            self.fields[f"partenaire_{i}_role"] = forms.CharField(label=f"Partenaire {i} : rôle", required=False,
                                                                  widget=forms.TextInput(attrs=DSFR_INPUT))
        for source, libelle in SourceFinancement.choices:
            self.fields[f"financement_{source}"] = montant_field(f"Financement — {libelle} (€)", required=False)

    def donnees(self) -> dict:
        d = self.cleaned_data
        partenaires = [{"nom": d[f"partenaire_{i}_nom"].strip(), "nature": d[f"partenaire_{i}_nature"],
                        "role": d[f"partenaire_{i}_role"].strip()}
                       for i in range(1, NB_PARTENAIRES + 1) if d[f"partenaire_{i}_nom"].strip()]
        return {
            **{cle: d[cle] for cle in ("intitule", "resume", "type_porteur", "region", "montant_demande",
                                        "logements_prevus", "menages_prevus")},
            "sections": {champ: d[champ] for champ, _ in SECTIONS_ANNEXE_3},
            "partenaires": partenaires,
            "financements": {s: d[f"financement_{s}"] for s in SourceFinancement.values if d[f"financement_{s}"]},
        }


class SuiviForm(forms.Form):
    annee = forms.IntegerField(label="Année", min_value=2013, max_value=2100,
                               widget=forms.NumberInput(attrs=DSFR_INPUT))
    logements_mobilises = forms.IntegerField(label="Logements mobilisés dans l'année", min_value=0,
                                             widget=forms.NumberInput(attrs=DSFR_INPUT))
    menages_accompagnes = forms.IntegerField(label="Ménages accompagnés dans l'année", min_value=0,
                                             widget=forms.NumberInput(attrs=DSFR_INPUT))
