"""srdi report: diagnosis reports (把脉诊断报告) from the command line.

    srdi report USCC [--format pdf|docx|html] [--as-of DATE] [-o FILE]
    srdi report --region NAME [--format pdf|docx|html] [--as-of DATE] -o DIR [--workers N]
    srdi report --prepare-fonts

One enterprise: the report is written to FILE (default: a name from the USCC and the date).
A batch: one file per enterprise of the 板块 in DIR, a progress bar on stderr; an enterprise that
fails is listed at the end (and in DIR/错误清单.txt) and the others are still written. Exit
status: 0 all written, 1 some failed, 2 unusable input.

--prepare-fonts makes the CJK font subset the PDFs use (once per machine, ~10–20 s; otherwise the
first PDF makes it): for install and deployment scripts.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from srdi.core.cleaning import option_date
from srdi.diagnosis import render, services


class ProgressBar:
    """A one-line progress bar on stderr (redrawn with \\r)."""

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total, self.width = total, width
        self.stream = stream or sys.stderr
        self.started = time.monotonic()

    def __call__(self, done: int, total: int, label: str) -> None:
        frac = done / total if total else 1.0
        filled = int(self.width * frac)
        elapsed = time.monotonic() - self.started
        eta = elapsed / done * (total - done) if done else 0
        bar = "█" * filled + "░" * (self.width - filled)
        self.stream.write(
            f"\r[{bar}] {done}/{total} {frac:4.0%} 剩余约{eta:4.0f}秒 {label[:20]:<20}"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "生成企业把脉诊断报告（PDF / Word / HTML），单个企业或按板块批量。"

    def add_arguments(self, parser):
        parser.add_argument("uscc", nargs="?", help="统一社会信用代码（单个企业）")
        parser.add_argument("--region", help="板块名称（批量生成该板块全部企业的报告）")
        parser.add_argument(
            "--format",
            default="pdf",
            choices=sorted(render.FORMATS),
            help="pdf（默认）、docx 或 html",
        )
        parser.add_argument("--as-of", dest="as_of", help="评估基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument("--review", action="store_true", help="按复核评估")
        parser.add_argument("-o", "--output", help="输出文件（单个）或目录（批量）")
        parser.add_argument(
            "--workers", type=int, default=None, help="批量时并行渲染的进程数（默认每个CPU核一个）"
        )
        parser.add_argument(
            "--prepare-fonts",
            action="store_true",
            help="预先生成PDF所用的中文字体子集（每台机器一次，安装部署时使用）",
        )

    def handle(self, *args, **opts):
        if opts["prepare_fonts"]:
            from srdi.diagnosis import fonts

            paths = fonts.subset_fonts()
            if paths is None:
                raise CommandError(
                    "无法生成字体子集（未找到 Noto Sans CJK 字体或缓存目录不可写），"
                    "PDF 将直接使用系统字体。",
                    returncode=1,
                )
            self.stdout.write("PDF 字体子集已就绪：" + "，".join(str(p) for p in paths.values()))
            return
        if bool(opts["uscc"]) == bool(opts["region"]):
            raise CommandError(
                "请给出一个统一社会信用代码，或用 --region 指定板块（二者选一）。", returncode=2
            )
        as_of = option_date(opts["as_of"], default=timezone.localdate, returncode=2)
        if opts["uscc"]:
            return self.single(opts["uscc"], opts["format"], as_of, opts["output"], opts["review"])
        return self.batch(
            opts["region"], opts["format"], as_of, opts["output"], opts["workers"], opts["review"]
        )

    def single(self, uscc, fmt, as_of, output, review):
        from srdi.registry.models import Enterprise

        e = (
            Enterprise.objects.select_related("region", "industry")
            .filter(uscc=uscc.strip().upper())
            .first()
        )
        if e is None:
            raise CommandError(f"未找到统一社会信用代码为 {uscc} 的企业。", returncode=2)
        try:
            d = services.diagnose(e, as_of, review=review)
        except services.DiagnosisError as exc:
            raise CommandError(str(exc), returncode=2) from None
        path = Path(output or render.filename(d, fmt))
        path.write_bytes(render.render(d, fmt))
        self.stdout.write(f"已生成 {path}（{e.name}，评估基准日 {as_of.isoformat()}）")

    def batch(self, region_name, fmt, as_of, output, workers, review):
        from django.db.models import Q

        from srdi.diagnosis.batch import run_batch
        from srdi.registry.models import Enterprise, Region

        region = Region.objects.filter(Q(name=region_name) | Q(short_name=region_name)).first()
        if region is None:
            known = "、".join(Region.objects.values_list("name", flat=True)[:40])
            raise CommandError(f"未知的板块“{region_name}”。可选：{known}", returncode=2)
        if not output:
            raise CommandError("批量生成需要用 -o 指定输出目录。", returncode=2)
        out = Path(output)
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} 已存在且不是目录。", returncode=2)
        out.mkdir(parents=True, exist_ok=True)
        qs = Enterprise.objects.filter(region=region)
        total = qs.count()
        if not total:
            raise CommandError(f"板块“{region.name}”中没有企业。", returncode=2)

        def sink(name: str, content: bytes) -> None:
            (out / name).write_bytes(content)

        result = run_batch(
            qs,
            fmt,
            as_of,
            sink=sink,
            on_progress=ProgressBar(total, self.stderr._out),
            workers=workers,
            review=review,
        )
        self.stdout.write(f"{region.name}：{result.summary_zh()} 输出目录 {out}")
        if result.failed:
            (out / "错误清单.txt").write_text(
                "\n".join(result.errors_zh()) + "\n", encoding="utf-8"
            )
            for line in result.errors_zh():
                self.stderr.write(line)
            sys.exit(1)
