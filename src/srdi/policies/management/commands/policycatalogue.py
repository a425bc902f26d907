"""srdi policycatalogue [--publish] — load the plan's policies (YAML) into the catalogue."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "将行动计划三(二)的政策目录（YAML）载入数据库（已存在的不覆盖）；--publish 同时发布并推送。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--publish", action="store_true", help="载入后发布（并定向推送）")

    def handle(self, *args, **options):
        from srdi.policies.services import load_plan_catalogue

        created = load_plan_catalogue(publish=options["publish"])
        for p in created:
            self.stdout.write(f"已载入：{p.key} {p.title}")
        self.stdout.write(f"共载入 {len(created)} 项政策。")
