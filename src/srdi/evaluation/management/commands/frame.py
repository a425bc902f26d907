"""srdi frame --from-db -o frame.parquet [--as-of DATE] [--standard ID]... [--region …]

Exports the evaluation frame of the registry's enterprises (column-wise, one Parquet part per
million enterprises, plus ``_srdi_frame.json``) so that a big-data centre can load it, and
``srdi evaluate frame.parquet --engine spark`` (or ``--engine polars``) can read it back.
"""

from __future__ import annotations

import sys
import time

import polars as pl
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from srdi.evaluation.services import EvaluationInputError, resolve_request
from srdi.rules import SIZE_STANDARD, list_standards, load_standard


class Command(BaseCommand):
    help = _("导出评估数据框（Parquet，列式分片），供 Spark 或列式引擎评估")

    def add_arguments(self, parser):
        parser.add_argument("--from-db", action="store_true", help=_("导出库中已登记的企业"))
        parser.add_argument("-o", "--output", required=True, help=_("输出目录，如 frame.parquet"))
        parser.add_argument("--as-of", dest="as_of", default=None, help=_("评估日期 YYYY-MM-DD"))
        parser.add_argument(
            "--standard",
            action="append",
            dest="standards",
            default=[],
            metavar="ID",
            help=_("只导出这些标准用到的字段；默认为全部标准"),
        )
        parser.add_argument("--region", action="append", default=[], help=_("按板块筛选"))
        parser.add_argument(
            "--rows-per-file", type=int, default=1_000_000, help=_("每个分片的企业数")
        )

    def handle(self, *args, **o):
        from srdi.audit.services import record
        from srdi.registry.frames import read_frame
        from srdi.registry.models import Enterprise
        from srdi.rules import frameio
        from srdi.rules.columnar import columns_for

        if not o["from_db"]:
            sys.stderr.write(_("目前只支持从库中导出：请加 --from-db") + "\n")
            raise SystemExit(2)
        if o["rows_per_file"] < 1:
            sys.stderr.write(_("--rows-per-file 应为正整数") + "\n")
            raise SystemExit(2)
        try:
            ids, day = resolve_request(
                o["standards"] or [s.id for s in list_standards()], o["as_of"], False
            )
        except EvaluationInputError as exc:
            for p in exc.problems:
                sys.stderr.write(p + "\n")
            raise SystemExit(2) from None
        stds = [load_standard(s) for s in ids]
        qs = Enterprise.objects.all()
        if o["region"]:
            qs = qs.filter(region__name__in=o["region"])
        t = time.perf_counter()
        columns = columns_for(stds, load_standard(SIZE_STANDARD))
        read = read_frame(qs, columns, day.year)
        frame = read.frame
        frame.df = frame.df.with_columns(read.names.cast(pl.Utf8).alias("name"))
        out = frameio.write_frame(frame, o["output"], columns, rows_per_file=o["rows_per_file"])
        record(
            action="evaluation.frame.export",
            object_type="evaluation.frame",
            object_repr=str(out.name)[:255],
            note=f"{len(read)} enterprises, year {day.year}, {len(columns)} columns",
        )
        self.stdout.write(
            _("已导出 %(n)d 家企业的评估数据框（%(y)d 年，%(c)d 列，%(s).1f 秒）：%(p)s")
            % {
                "n": len(read),
                "y": day.year,
                "c": len(columns),
                "s": time.perf_counter() - t,
                "p": out,
            }
        )
