from django.db import migrations


class Migration(migrations.Migration):
    """Joins two branches of work: plans as data (0003_targets_plans) and handling alerts from
    the list (0003_ux_flows_alert_handling). No schema change of its own."""

    dependencies = [
        ("cultivation", "0003_targets_plans"),
        ("cultivation", "0003_ux_flows_alert_handling"),
    ]

    operations = []
