from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "以生产方式运行平台（waitress WSGI 服务器）。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="监听端口（默认 8000）")
        parser.add_argument("--threads", type=int, default=8, help="工作线程数（默认 8）")

    def handle(self, host, port, threads, **options):
        from waitress import serve

        from srdi.wsgi import application

        self.stdout.write(f"{settings.SRDI_SITE_NAME}: http://{host}:{port}/")
        serve(application, host=host, port=port, threads=threads)
