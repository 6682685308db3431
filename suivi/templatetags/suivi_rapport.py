"""Filters for the annual report, whose snapshot holds dates as ISO strings (it is stored as JSON)."""

from datetime import date

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import normalize_newlines

from pacte.formats import format_date

register = template.Library()


@register.filter
def date_iso(valeur: str) -> str:
    """« 2014-03-12 » (or a full ISO datetime) shown as « 12/03/2014 »; empty stays « — »."""
    return format_date(date.fromisoformat(valeur[:10])) if valeur else "—"


@register.filter(needs_autoescape=True)
def sauts_de_ligne(valeur: str, autoescape: bool = True) -> str:
    """``linebreaksbr`` written ``<br/>``: the report's page stays well-formed XML (suivi/rapport/rendu.py)."""
    texte = normalize_newlines(str(valeur))
    return mark_safe((escape(texte) if autoescape else texte).replace("\n", "<br/>"))  # noqa: S308 - escaped above
