"""Forms of the committee's pages: they read and check input; suivi.services does the writing."""

from django import forms
from django.utils import timezone

from pacte.enums import StatutEngagement
from pacte.models import Region
from suivi.enums import Niveau, StatutBlocage, ThemeBlocage
from suivi.models import BonnePratique, DiagnosticRegional, MiseAJourEngagement, PointDeBlocage, Reunion
from suivi.selectors_comite import ANNEES_PACTE


def _dsfr(formulaire: forms.Form) -> None:
    """DSFR classes on every widget (inputs, text areas, selects); the error state is the template's (_champ)."""
    for champ in formulaire.fields.values():
        champ.widget.attrs.setdefault("class", "fr-select" if isinstance(champ.widget, forms.Select) else "fr-input")


class DsfrMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _dsfr(self)


class MiseAJourEngagementForm(DsfrMixin, forms.ModelForm):
    class Meta:
        model = MiseAJourEngagement
        fields = ["date", "statut", "commentaire", "preuve"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "commentaire": forms.Textarea(attrs={"rows": 3})}
        labels = {"commentaire": "Ce qui a été fait", "statut": "Nouveau statut"}
        help_texts = {"preuve": "Référence d'un texte, d'un compte rendu ou lien vers une publication."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statut"].choices = StatutEngagement.choices
        self.fields["date"].initial = timezone.localdate


class ReunionForm(DsfrMixin, forms.ModelForm):
    class Meta:
        model = Reunion
        fields = ["date", "niveau", "region", "institutions", "ordre_du_jour", "compte_rendu", "decisions"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "institutions": forms.Textarea(attrs={"rows": 5}),
                   "ordre_du_jour": forms.Textarea(attrs={"rows": 4}),
                   "compte_rendu": forms.Textarea(attrs={"rows": 6}),
                   "decisions": forms.Textarea(attrs={"rows": 4})}
        labels = {"niveau": "Formation", "region": "Région (formation régionale)"}

    def clean(self):
        donnees = super().clean()
        if donnees.get("niveau") == Niveau.REGIONAL and not donnees.get("region"):
            self.add_error("region", "Une réunion régionale a lieu dans une région : indiquez-la.")
        if donnees.get("niveau") == Niveau.NATIONAL and donnees.get("region"):
            self.add_error("region", "Une réunion nationale n'a pas de région.")
        return donnees


class PointDeBlocageForm(DsfrMixin, forms.ModelForm):
    commentaire = forms.CharField(label="Commentaire pour l'historique", required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="Ce qui a changé et pourquoi ; conservé dans l'historique du point.")

    class Meta:
        model = PointDeBlocage
        fields = ["region", "theme", "titre", "description", "solution_proposee", "responsable", "statut", "reunion"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}),
                   "solution_proposee": forms.Textarea(attrs={"rows": 4})}
        labels = {"reunion": "Réunion où il a été examiné"}

    def __init__(self, *args, regions, national: bool, **kwargs):
        """``regions``: the regions the user may file a point for; ``national``: may file a national one."""
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["region"].required = not national
        self.fields["region"].empty_label = "National" if national else None
        self.fields["reunion"].queryset = Reunion.objects.select_related("region")


class BonnePratiqueForm(DsfrMixin, forms.ModelForm):
    class Meta:
        model = BonnePratique
        fields = ["titre", "theme", "region", "organisme", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6}), "organisme": forms.TextInput()}
        labels = {"organisme": "SIREN de l'organisme (facultatif)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].empty_label = "National"


class DiagnosticForm(DsfrMixin, forms.ModelForm):
    class Meta:
        model = DiagnosticRegional
        fields = ["coherence_politiques", "disponibilite_fonciere", "montage_financier", "capacite_btp",
                  "impact_sru", "besoins_typologie", "statut"]
        widgets = {nom: forms.Textarea(attrs={"rows": 5}) for nom in fields[:-1]}


class RechercheBlocagesForm(DsfrMixin, forms.Form):
    region = forms.ChoiceField(label="Région", required=False)
    theme = forms.ChoiceField(label="Thème", required=False, choices=[("", "Tous")] + ThemeBlocage.choices)
    statut = forms.ChoiceField(label="Statut", required=False, choices=[("", "Tous")] + StatutBlocage.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _choix_regions()


class RechercheBonnesPratiquesForm(DsfrMixin, forms.Form):
    recherche = forms.CharField(label="Rechercher", required=False, max_length=100,
                                help_text="Mot du titre, de la description ou nom de l'organisme")
    theme = forms.ChoiceField(label="Thème", required=False, choices=[("", "Tous")] + ThemeBlocage.choices)
    region = forms.ChoiceField(label="Région", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _choix_regions()


class RapportForm(DsfrMixin, forms.Form):
    annee = forms.TypedChoiceField(label="Année du rapport", coerce=int,
                                   choices=[(a, str(a)) for a in ANNEES_PACTE], initial=ANNEES_PACTE[1])


def _choix_regions() -> list[tuple[str, str]]:
    return [("", "Toutes"), ("national", "National")] + [(r.code, r.nom) for r in Region.objects.order_by("nom")]
