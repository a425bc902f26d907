"""Consent scope (issue 15, finance): which sections, until when, all partner banks."""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

ALL = ["basic", "years", "ip", "titles", "diagnosis", "financing"]


def existing_share_everything(apps, schema_editor):
    # Consents given before sections existed shared the whole profile.
    apps.get_model("registry", "DataShare").objects.update(sections=ALL)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_ip_asset_details"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="datashare",
            name="sections",
            field=models.JSONField(blank=True, default=list, verbose_name="共享内容"),
        ),
        migrations.AddField(
            model_name="datashare",
            name="until",
            field=models.DateField(blank=True, null=True, verbose_name="有效期至"),
        ),
        migrations.AddField(
            model_name="datashare",
            name="all_banks",
            field=models.BooleanField(default=False, verbose_name="全部合作银行"),
        ),
        migrations.AddField(
            model_name="datashare",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(existing_share_everything, migrations.RunPython.noop),
    ]
