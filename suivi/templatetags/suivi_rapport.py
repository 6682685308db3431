"""Filters for the annual report, whose snapshot holds dates as ISO strings (it is stored as JSON)."""

from datetime import date

from django import template

from pacte.formats import format_date

register = template.Library()


@register.filter
def date_iso(valeur: str) -> str:
    """« 2014-03-12 » (or a full ISO datetime) shown as « 12/03/2014 »; empty stays « — »."""
    return format_date(date.fromisoformat(valeur[:10])) if valeur else "—"
