from django.core.management.base import BaseCommand, CommandError

from srdi.exchange import build_template


class Command(BaseCommand):
    help = "生成企业画像导入模板（.xlsx，中文表头、下拉选项，每个部分一个工作表）。"

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="输出文件，如 模板.xlsx")

    def handle(self, *args, output, **options):
        if not output.lower().endswith(".xlsx"):
            raise CommandError("输出文件名应以 .xlsx 结尾")
        build_template(output)
        self.stdout.write(f"已生成导入模板：{output}")
