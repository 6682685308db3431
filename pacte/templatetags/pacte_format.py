from django import template

from pacte import formats

register = template.Library()

register.filter("euros", formats.format_euros)
register.filter("nombre", formats.format_nombre)
register.filter("pourcentage", formats.format_pourcentage)
register.filter("date_fr", formats.format_date)


@register.filter
def pourcentage_de(partie, total) -> int:
    """Width of a bar in a chart, 0–100."""
    return round(100 * partie / total) if total else 0
