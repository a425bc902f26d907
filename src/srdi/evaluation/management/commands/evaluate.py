"""srdi evaluate PROFILES [--standard ID]... [--as-of DATE] [--review] [--format json|table|parquet]
[--engine scalar|polars|spark [--master local[2]|spark://…]] [-o OUT]

PROFILES is a profile file (JSON, JSON Lines, .xlsx) or an evaluation frame written by
``srdi frame`` (a Parquet directory). The default engine (scalar) gives the full explained
results; the columnar engines (polars, spark) give outcome, score, size class, route and
dimensions per enterprise and standard — the same values, computed a column at a time.
"""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from srdi.evaluation.formatting import results_table
from srdi.evaluation.services import (
    EvaluationInputError,
    evaluate_enterprises,
    evaluate_population,
    evaluate_profiles,
    resolve_request,
)
from srdi.rules import load_standard


class StageBar:
    """A one-line progress bar on stderr, one step per stage (读取 → 评估 → 保存)."""

    def __init__(self, stream=None, width: int = 24):
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        frac = done / total if total else 1.0
        filled = int(self.width * frac)
        bar = "█" * filled + "░" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r[{bar}] {frac:4.0%} {stage}" + _("（已用 %(s).1f 秒）") % {"s": elapsed} + "   "
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def read_profile_file(path: str) -> list[dict]:
    """Profiles from a file (JSON array, JSON Lines, .xlsx) or ``-`` (stdin), via srdi.exchange."""
    from srdi.exchange import read_profiles

    if path == "-":
        return read_profiles(sys.stdin.buffer)
    return read_profiles(path)


class Command(BaseCommand):
    help = _("按认定标准评估企业画像（评估合同见 docs/contracts/evaluation.md）")

    def add_arguments(self, parser):
        parser.add_argument(
            "profiles", nargs="?", help=_("画像文件（JSON、JSON Lines 或 .xlsx）；- 表示标准输入")
        )
        parser.add_argument(
            "--standard",
            action="append",
            dest="standards",
            default=[],
            metavar="ID",
            help=_("认定标准 ID，可重复；默认为评估日期有效的全部标准"),
        )
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default=None,
            metavar="DATE",
            help=_("评估日期 YYYY-MM-DD（默认今天）"),
        )
        parser.add_argument("--review", action="store_true", help=_("按复核评估"))
        parser.add_argument(
            "--format",
            choices=["json", "table", "parquet"],
            default="table",
            help="输出格式：json（机器可读）、table（中文表格）或 parquet（列式文件，需 -o）",
        )
        parser.add_argument(
            "--engine",
            choices=["scalar", "polars", "spark"],
            default="scalar",
            help=_(
                "评估引擎：scalar（逐户，含推理过程，默认）、polars（列式）、spark（Spark 集群）"
            ),
        )
        parser.add_argument(
            "--master",
            default="local[2]",
            help=_("Spark 主节点（--engine spark）：local[2]、spark://主机:7077、yarn"),
        )
        parser.add_argument(
            "-o", "--output", default=None, help=_("输出文件或目录（--format parquet 时必填）")
        )
        parser.add_argument(
            "--explain", action="store_true", help=_("JSON 输出包含推理过程（trace）")
        )
        parser.add_argument(
            "--from-db", action="store_true", help=_("评估库中已登记的企业（并保存结果）")
        )
        parser.add_argument(
            "--region", action="append", default=[], help=_("按板块筛选（--from-db）")
        )
        parser.add_argument(
            "--industry", action="append", default=[], help=_("按行业代码前缀筛选（--from-db）")
        )
        parser.add_argument(
            "--uscc", action="append", default=[], help=_("按统一社会信用代码筛选（--from-db）")
        )
        parser.add_argument("--no-save", action="store_true", help=_("--from-db 时不保存评估结果"))
        parser.add_argument(
            "--summary",
            action="store_true",
            help=_("--from-db 批量模式：只输出结论、得分与维度（列式评估，适合全市企业）"),
        )

    def fail(self, problems: list[str]) -> None:
        for p in problems:
            sys.stderr.write(p + "\n")
        sys.stderr.flush()
        raise SystemExit(2)

    def handle(self, *args, **o):
        if o["engine"] != "scalar" or o["format"] == "parquet":
            self.columnar(o)
            return
        try:
            if o["from_db"] and o["summary"]:
                self.population(o)
                return
            if o["from_db"]:
                doc = evaluate_enterprises(
                    self.queryset(o),
                    o["standards"],
                    o["as_of"],
                    o["review"],
                    save=not o["no_save"],
                    explain=o["explain"],
                )
            else:
                if not o["profiles"]:
                    self.fail([_("请指定画像文件（或 - 读取标准输入），或使用 --from-db")])
                profiles = self.read(o["profiles"])
                doc = evaluate_profiles(
                    profiles, o["standards"], o["as_of"], o["review"], explain=o["explain"]
                )
                names = {p.get("uscc"): p.get("name") for p in profiles}
                for r in doc["results"]:
                    r.setdefault("name", names.get(r["uscc"]))
        except EvaluationInputError as exc:
            self.fail(exc.problems)
        if o["format"] == "json":
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(results_table(doc))

    def population(self, o) -> None:
        """The whole-population mode: columnar read and evaluation, saved in bulk; the output
        written a chunk of enterprises at a time."""
        ids, day = resolve_request(o["standards"], o["as_of"], o["review"])
        stds = [load_standard(s) for s in ids]
        bar = StageBar(self.stderr._out)
        pop = evaluate_population(
            self.queryset(o), stds, day, o["review"], save=not o["no_save"], progress=bar
        )
        head = {"as_of": day.isoformat(), "review": o["review"], "standards": ids}
        if pop.run is not None:
            head["run"] = pop.run.pk
        chunk = 5000
        if o["format"] == "json":
            text = json.dumps(head, ensure_ascii=False, indent=2)
            self.stdout.write(text[:-2] + ',\n  "results": [', ending="")
            first = True
            for start in range(0, len(pop), chunk):
                for r in pop.rows(start, start + chunk):
                    item = json.dumps(r, ensure_ascii=False, indent=2).replace("\n", "\n    ")
                    self.stdout.write(("\n    " if first else ",\n    ") + item, ending="")
                    first = False
            self.stdout.write("\n  ]\n}" if not first else "]\n}")
            return
        self.stdout.write(results_table(dict(head, results=pop.rows())))

    def columnar(self, o) -> None:
        """The columnar engines (Polars here, Spark here or on a cluster) over a profile file or
        a Parquet evaluation frame."""
        from pathlib import Path

        from srdi.rules import frameio

        if o["engine"] == "scalar":
            self.fail([_("parquet 输出需要列式引擎：--engine polars 或 --engine spark")])
        if o["from_db"]:
            self.fail([_("库中企业请先导出评估数据框：srdi frame --from-db -o frame.parquet")])
        if not o["profiles"]:
            self.fail([_("请指定画像文件或评估数据框目录")])
        if o["format"] == "parquet" and not o["output"]:
            self.fail([_("--format parquet 需要用 -o 指定输出目录")])
        if o["explain"]:
            self.fail([_("推理过程（--explain）只由默认引擎给出")])
        try:
            ids, day = resolve_request(o["standards"], o["as_of"], o["review"])
        except EvaluationInputError as exc:
            self.fail(exc.problems)
        stds = [load_standard(s) for s in ids]
        src = o["profiles"]
        is_frame = src != "-" and frameio.is_frame(src)
        try:
            if o["engine"] == "spark":
                res = self._spark(o, src, is_frame, stds, day)
            else:
                if is_frame:
                    frame, _meta = frameio.read_frame_polars(src)
                else:
                    frame = frameio.profiles_frame(self.read(src), stds, day.year)
                res = frameio.evaluate_polars(frame, stds, day, o["review"])
        except frameio.FrameError as exc:
            self.fail([str(exc)])
        if res is None:  # written by Spark
            return
        if o["format"] == "parquet":
            out = Path(o["output"])
            out.mkdir(parents=True, exist_ok=True)
            frameio.long_polars(res, stds).write_parquet(out / "part-00000.parquet")
            self.stderr.write(
                _("已写出 %(n)d 条结果：%(p)s") % {"n": res.height * len(stds), "p": out}
            )
            return
        doc = {
            "as_of": day.isoformat(),
            "review": o["review"],
            "standards": ids,
            "results": frameio.finish_rows(res, stds) if res.height else [],
        }
        if o["format"] == "json":
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(results_table(doc))

    def _spark(self, o, src: str, is_frame: bool, stds, day):
        """Spark: the frame read by Spark itself; profile files go through a frame first."""
        import shutil
        import tempfile
        from pathlib import Path

        from srdi.rules import frameio, spark

        tmp = Path(tempfile.mkdtemp(prefix="srdi-spark-"))
        try:
            if is_frame:
                path = Path(src)
            else:
                frame = frameio.profiles_frame(self.read(src), stds, day.year)
                path = frameio.write_frame(frame, tmp / "frame", frameio.frame_columns(frame))
            try:
                session = spark.session(o["master"])
            except Exception as exc:  # noqa: BLE001 - no Java, no pyspark, no cluster
                self.fail([_("无法启动 Spark（%(m)s）：%(e)s") % {"m": o["master"], "e": exc}])
            res = spark.evaluate_parquet(session, path, stds, day, o["review"])
            if o["format"] == "parquet":
                out = Path(o["output"])
                spark.long_results(res, stds).write.mode("overwrite").parquet(str(out))
                self.stderr.write(_("已写出评估结果：%(p)s") % {"p": out})
                return None
            return spark.collect(res, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def read(self, path: str) -> list[dict]:
        from srdi.exchange import ProfileErrors

        try:
            return read_profile_file(path)
        except ProfileErrors as exc:
            self.fail([p.format_zh(with_file=True) for p in exc.problems])
        except FileNotFoundError:
            self.fail([_("找不到画像文件：%(p)s") % {"p": path}])
        except OSError as exc:
            self.fail([_("无法读取画像文件 %(p)s：%(e)s") % {"p": path, "e": exc}])
        return []

    def queryset(self, o):
        from srdi.registry.models import Enterprise

        qs = Enterprise.objects.all()
        if o["region"]:
            qs = qs.filter(region__name__in=o["region"])
        if o["industry"]:
            from django.db.models import Q

            q = Q()
            for code in o["industry"]:
                digits = "".join(ch for ch in code if ch.isdigit())
                q |= (
                    Q(industry_code__regex=rf"^[A-Za-z]?{digits}")
                    if digits
                    else Q(industry_code__istartswith=code)
                )
            qs = qs.filter(q)
        if o["uscc"]:
            qs = qs.filter(uscc__in=[u.upper() for u in o["uscc"]])
        return qs
