from django.db import migrations, models


class Migration(migrations.Migration):
    """One constraint for « one line per year and region, the national line (no region) included »: NULLS NOT
    DISTINCT makes it the key of the objectifs import's INSERT … ON CONFLICT (suivi/imports.py)."""

    dependencies = [
        ("suivi", "0002_historique_blocage_rapport_annuel"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="objectif", name="objectif_national_unique"),
        migrations.RemoveConstraint(model_name="objectif", name="objectif_unique_par_region"),
        migrations.AddConstraint(
            model_name="objectif",
            constraint=models.UniqueConstraint(
                fields=("annee", "region"), name="objectif_unique_par_region", nulls_distinct=False
            ),
        ),
    ]
