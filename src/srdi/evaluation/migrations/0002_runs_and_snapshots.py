# Runs, content-hashed input snapshots and rule-file texts (schema part; data in 0003).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0001_initial'),
        ('registry', '0002_title_dates_optional'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RuleVersion',
            fields=[
                ('version', models.CharField(max_length=80, primary_key=True, serialize=False, verbose_name='规则版本')),
                ('standard', models.CharField(max_length=40, verbose_name='认定标准')),
                ('text', models.TextField(verbose_name='规则文件内容')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='首次使用时间')),
            ],
            options={
                'verbose_name': '规则版本',
                'verbose_name_plural': '规则版本',
                'ordering': ['standard', '-created_at'],
            },
        ),
        migrations.CreateModel(
            name='EvaluationRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('as_of', models.DateField(verbose_name='评估日期')),
                ('review', models.BooleanField(default=False, verbose_name='复核')),
                ('mode', models.CharField(choices=[('full', '逐项（含差距）'), ('summary', '批量（结论、得分与维度）')], default='full', max_length=10, verbose_name='方式')),
                ('standards', models.JSONField(default=list, verbose_name='认定标准')),
                ('versions', models.JSONField(default=dict, verbose_name='规则版本')),
                ('enterprises', models.PositiveIntegerField(default=0, verbose_name='企业数')),
                ('results', models.PositiveIntegerField(default=0, verbose_name='结果数')),
                ('new_snapshots', models.PositiveIntegerField(default=0, verbose_name='新增输入快照')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='评估时间')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
            ],
            options={
                'verbose_name': '评估批次',
                'verbose_name_plural': '评估批次',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='InputSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(max_length=64, verbose_name='内容摘要（SHA-256）')),
                ('document', models.TextField(verbose_name='输入画像快照（JSON）')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='首次保存时间')),
                ('enterprise', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='evaluation_inputs', to='registry.enterprise', verbose_name='企业')),
            ],
            options={
                'verbose_name': '输入快照',
                'verbose_name_plural': '输入快照',
                'constraints': [models.UniqueConstraint(fields=('enterprise', 'digest'), name='uniq_input_snapshot')],
            },
        ),
        migrations.AddField(
            model_name='evaluationrecord',
            name='run',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='records', to='evaluation.evaluationrun', verbose_name='评估批次'),
        ),
        migrations.AddField(
            model_name='evaluationrecord',
            name='snapshot',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='records', to='evaluation.inputsnapshot', verbose_name='输入快照'),
        ),
        # nullable while the data moves (0003), so that the reverse path can re-add them
        migrations.AlterField(
            model_name='evaluationrecord',
            name='profile',
            field=models.JSONField(null=True, verbose_name='输入画像快照'),
        ),
        migrations.AlterField(
            model_name='evaluationrecord',
            name='as_of',
            field=models.DateField(null=True, verbose_name='评估日期'),
        ),
    ]
