"""O5: the fold now marks the active nodes of a cancelled order `cancelled` (and a reopening makes them
active again); the rows of orders cancelled before are brought to what the fold gives (`yekuo orders verify`)."""

from django.db import migrations


def forwards(apps, schema_editor):
    NodeInstance = apps.get_model("orders", "NodeInstance")
    NodeInstance.objects.filter(state="active", order__status="cancelled").update(state="cancelled")


def backwards(apps, schema_editor):
    NodeInstance = apps.get_model("orders", "NodeInstance")
    NodeInstance.objects.filter(state="cancelled").update(state="active")


class Migration(migrations.Migration):
    dependencies = [("orders", "0008_suspension_review")]

    operations = [migrations.RunPython(forwards, backwards)]
