"""`srdi assign [--region R] [--apply] --format json|table`."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from srdi.registry.models import Region
from srdi.support import assignment


class Command(BaseCommand):
    help = (
        "为持有有效专精特新中小企业/小巨人/单项冠军称号（其次是培育库）且尚无服务专员的企业"
        "提出指派方案：同板块优先、行业相符、不超过容量、负荷均衡（指派问题求解）；--apply 记录指派。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", help="只处理该板块的企业（名称）")
        parser.add_argument("--apply", action="store_true", help="记录指派（留痕、通知专员）")
        parser.add_argument("--format", default="table", choices=["json", "table"],
                            help="输出格式：json 或 table（默认 table）")  # fmt: skip
        parser.add_argument("--user", help="经办人用户名（默认记为命令行操作）")

    def handle(self, *args, region=None, apply=False, format="table", user=None, **options):
        reg = None
        if region:
            reg = Region.objects.filter(name=region).first()
            if reg is None:
                raise CommandError(f"板块不存在：{region}", returncode=2)
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"用户不存在：{user}", returncode=2)
        proposal = assignment.propose(region=reg)
        if apply:
            with transaction.atomic():
                assignment.apply(actor, proposal)
        if format == "json":
            self.stdout.write(json.dumps(proposal.as_json(), ensure_ascii=False, indent=2))
            return
        verb = "已指派" if apply else "建议指派"
        self.stdout.write(
            f"{verb} {len(proposal.assignments)} 家，未能指派 {len(proposal.unassigned)} 家。"
        )
        for a in proposal.assignments:
            self.stdout.write(f"  {a['enterprise']}  →  {a['commissioner']}  （{a['reason']}）")
        for u in proposal.unassigned:
            self.stdout.write(f"  {u['enterprise']}  未指派：{u['reason']}")
        self.stdout.write("专员负荷（已服务/容量）：")
        for name, ld in proposal.load.items():
            self.stdout.write(f"  {name:<14} {ld['assigned']}/{ld['capacity']}")
