from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("innovation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="capability",
            name="scenarios",
            field=models.TextField(
                blank=True,
                help_text="每行一条，用企业现场的话描述本方法能解决的问题，如：铸件内部气孔多",
                verbose_name="应用场景 / 可解决的问题",
            ),
        ),
    ]
