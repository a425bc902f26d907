from django.core.management.base import BaseCommand

from srdi.registry.refdata import load_reference


class Command(BaseCommand):
    help = (
        "把 src/srdi/reference 中的参考数据（板块、国民经济行业、战略性新兴产业分类、工业六基、"
        "产业体系）载入数据库。可重复运行；已有记录（管理员可能已修改）默认保留，--update 时按文件覆盖。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update", action="store_true", help="用参考数据文件覆盖数据库中已有的记录"
        )

    def handle(self, *args, update=False, **options):
        result = load_reference(update=update)
        self.stdout.write("参考数据已载入：" + result.summary_zh())
