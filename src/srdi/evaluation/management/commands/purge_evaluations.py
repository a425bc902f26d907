from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from srdi.audit.services import record
from srdi.core.jobs import retention_days
from srdi.evaluation.models import EvaluationRecord, EvaluationRun, InputSnapshot


class Command(BaseCommand):
    help = _(
        "清理较早的评估批次：早于保留天数的批次删除，但每月最后一个批次保留（作为月度留档）；"
        "不再被任何评估结果引用的输入快照随之删除。建议每日运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=retention_days,
            default=None,
            help=_("保留天数（默认取设置 SRDI_EVALUATION_DAYS）"),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("只列出，不删除"))

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.SRDI_EVALUATION_DAYS if days is None else days
        if days < 1:
            raise CommandError(_("保留天数应为正整数：%(d)s") % {"d": days})
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = list(
            EvaluationRun.objects.filter(created_at__lt=cutoff)
            .order_by("created_at", "id")
            .values_list("id", "created_at")
        )
        last_of_month: dict[tuple[int, int], int] = {}
        for rid, at in old:
            at = timezone.localtime(at)
            last_of_month[(at.year, at.month)] = rid  # ascending: the last one wins
        kept = set(last_of_month.values())
        doomed = [rid for rid, _at in old if rid not in kept]
        n_records = EvaluationRecord.objects.filter(run_id__in=doomed).count()
        if dry_run:
            self.stdout.write(
                _("将删除 %(r)s 个评估批次（%(n)s 条结果），保留 %(k)s 个月度留档批次")
                % {"r": len(doomed), "n": n_records, "k": len(last_of_month)}
            )
            return
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # the lock runs take while saving snapshots: none may reuse one being deleted
                with connection.cursor() as cur:
                    cur.execute(
                        "SELECT pg_advisory_xact_lock(hashtext('srdi.evaluation.snapshots'))"
                    )
            for i in range(0, len(doomed), 500):
                part = doomed[i : i + 500]
                EvaluationRecord.objects.filter(run_id__in=part).delete()
                EvaluationRun.objects.filter(id__in=part).delete()
            used = EvaluationRecord.objects.values("snapshot_id")
            snaps, _by = InputSnapshot.objects.exclude(id__in=used).delete()
            if doomed:
                record(
                    action="evaluation.purge",
                    object_type="evaluation.evaluationrun",
                    object_repr=_("清理评估批次"),
                    after={"runs": len(doomed), "records": n_records, "snapshots": snaps},
                    note=_("保留 %(d)s 天及每月最后一个批次") % {"d": days},
                )
        self.stdout.write(
            _(
                "已删除 %(r)s 个评估批次（%(n)s 条结果）和 %(s)s 个不再引用的输入快照；保留 %(k)s 个月度留档批次"
            )
            % {"r": len(doomed), "n": n_records, "s": snaps, "k": len(last_of_month)}
        )
