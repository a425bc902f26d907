import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from srdi.core import demo
from srdi.registry.demo import build_demo
from srdi.registry.models import Enterprise, Region
from srdi.registry.refdata import load_reference

TIERS = {
    "single_champion": "制造业单项冠军",
    "little_giant": "专精特新“小巨人”",
    "srdi_sme": "专精特新中小企业",
    "innovative_sme": "创新型中小企业",
    "tech_sme": "科技型中小企业",
}


class Command(BaseCommand):
    help = (
        "生成常熟市合成演示数据（默认约 3,000 家企业，2021–2025 年度数据，各梯度称号），"
        "全部标记为“演示数据（合成）”。同一 --seed 总是生成相同的数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=3000, help="企业数（默认 3000）")
        parser.add_argument("--seed", type=int, default=20260101, help="随机种子")
        parser.add_argument(
            "--if-empty", action="store_true", help="企业库已有企业时什么也不做（make run 使用）"
        )

    def handle(self, *args, enterprises=3000, seed=20260101, if_empty=False, **options):
        if if_empty and Enterprise.objects.exists():
            self.stdout.write("企业库已有数据，未生成演示数据。")
            return
        if not Region.objects.exists():
            load_reference()
        t0 = time.monotonic()
        counts = build_demo(enterprises, seed)
        dt = time.monotonic() - t0
        self.stdout.write(
            f"已生成演示数据（合成）：新增 {counts['created']} 家、更新 {counts['updated']} 家企业，"
            f"用时 {dt:.1f} 秒。"
        )
        self.stdout.write(
            "有效称号：" + "，".join(f"{label} {counts[t]} 家" for t, label in TIERS.items())
        )
        demo.run_all(seed, timezone.localdate(), self.stdout.write)
