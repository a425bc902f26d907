# Records keep only what is theirs: the run holds date, review, operator and time; the
# snapshot holds the document. Foreign keys without database constraints (see
# EvaluationRecord); run_id indexed as BRIN on PostgreSQL (records are appended run after run).

import django.db.models.deletion
from django.db import migrations, models


RUN_INDEX = "evaluation_rec_run"


def add_run_index(apps, schema_editor):
    table = schema_editor.quote_name("evaluation_evaluationrecord")
    using = " USING brin" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {RUN_INDEX} ON {table}{using} (run_id)")


def drop_run_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {RUN_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0003_move_to_runs'),
        ('registry', '0002_title_dates_optional'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='evaluationrecord',
            name='evaluation__enterpr_3c34bf_idx',
        ),
        migrations.AlterModelOptions(
            name='evaluationrecord',
            options={'ordering': ['-run_id', '-id'], 'verbose_name': '评估记录', 'verbose_name_plural': '评估记录'},
        ),
        migrations.RemoveField(
            model_name='evaluationrecord',
            name='as_of',
        ),
        migrations.RemoveField(
            model_name='evaluationrecord',
            name='created_at',
        ),
        migrations.RemoveField(
            model_name='evaluationrecord',
            name='created_by',
        ),
        migrations.RemoveField(
            model_name='evaluationrecord',
            name='profile',
        ),
        migrations.RemoveField(
            model_name='evaluationrecord',
            name='review',
        ),
        migrations.AlterField(
            model_name='evaluationrecord',
            name='standard',
            field=models.CharField(max_length=40, verbose_name='认定标准'),
        ),
        migrations.AlterField(
            model_name='evaluationrecord',
            name='result',
            field=models.JSONField(default=dict, verbose_name='评估结果'),
        ),
        migrations.AlterField(
            model_name='evaluationrecord',
            name='enterprise',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='evaluations', to='registry.enterprise', verbose_name='企业'),
        ),
        migrations.AlterField(
            model_name='evaluationrecord',
            name='run',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='records', to='evaluation.evaluationrun', verbose_name='评估批次'),
        ),
        migrations.AlterField(
            model_name='evaluationrecord',
            name='snapshot',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='records', to='evaluation.inputsnapshot', verbose_name='输入快照'),
        ),
        migrations.AddIndex(
            model_name='evaluationrecord',
            index=models.Index(fields=['enterprise', 'standard', 'id'], name='evaluation_rec_ent_std'),
        ),
        migrations.RunPython(add_run_index, drop_run_index),
    ]
