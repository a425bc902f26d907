"""`srdi serve`: the platform on waitress, as in production behind the HTTPS reverse proxy.

Waitress passes the proxy's X-Forwarded-* headers through untouched; the platform believes them
only from the addresses in SRDI_TRUSTED_PROXIES (srdi.core.security.TrustedProxyMiddleware), so
the client's address and HTTPS come from the proxy and nobody else, and the HTTPS redirect does
not loop behind the proxy.
"""

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "以生产方式运行平台（waitress WSGI 服务器，部署在 HTTPS 反向代理之后）。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="监听端口（默认 8000）")
        parser.add_argument("--threads", type=int, default=8, help="工作线程数（默认 8）")

    def handle(self, host, port, threads, **options):
        from waitress import serve

        from srdi.wsgi import application

        self.stdout.write(f"{settings.SRDI_SITE_NAME}: http://{host}:{port}/")
        if settings.SRDI_TRUSTED_PROXIES:
            self.stdout.write("信任的反向代理：" + "，".join(settings.SRDI_TRUSTED_PROXIES))
        elif settings.SECURE_SSL_REDIRECT:
            self.stderr.write(
                "提示：已开启 HTTPS 跳转，但未设置 SRDI_TRUSTED_PROXIES。经 HTTPS 反向代理访问时，"
                "请把代理的地址写入 SRDI_TRUSTED_PROXIES，否则会循环跳转。"
            )
        self.stdout.flush()
        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="srdi",
            # the proxy headers reach the platform, which trusts them only from
            # SRDI_TRUSTED_PROXIES (and removes them from anyone else)
            clear_untrusted_proxy_headers=False,
        )
