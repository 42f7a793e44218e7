from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_extensions_and_regrades")]

    operations = [
        migrations.AddField(
            model_name="regradeitem", name="worker", field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="regradeitem", name="releases", field=models.PositiveIntegerField(default=0),
        ),
    ]
