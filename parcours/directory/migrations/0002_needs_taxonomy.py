"""Install the default taxonomy of needs (food, cash transfer, … child protection) with its translated names."""

from django.db import migrations


def install_needs(apps, schema_editor):
    from parcours.directory.needs import install

    install(apps.get_model("directory", "Taxonomy"), apps.get_model("directory", "TaxonomyTerm"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(install_needs, migrations.RunPython.noop)]
