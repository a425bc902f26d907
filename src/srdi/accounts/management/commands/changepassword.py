"""`srdi changepassword 用户名`: the CLI door for passwords, through the password policy."""

from __future__ import annotations

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from srdi.accounts import services
from srdi.accounts.models import User

MAX_TRIES = 3


class Command(BaseCommand):
    help = (
        "修改用户密码（须符合密码策略：至少 10 位，含大写字母、小写字母、数字、符号中的至少 3 类，"
        "不含用户名，不得与最近 5 次密码相同）。"
    )
    requires_system_checks = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username", help="要修改密码的用户名")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="从标准输入读取新密码（一行，用于脚本；不回显、不进入命令历史）",
        )

    def handle(self, username, password_stdin=False, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在。", returncode=2)
        if password_stdin:
            raw = (options.get("stdin") or sys.stdin).readline().rstrip("\r\n")
            self._set(user, raw)
            return
        for attempt in range(1, MAX_TRIES + 1):
            p1 = getpass.getpass(f"用户“{username}”的新密码：")
            p2 = getpass.getpass("再次输入新密码：")
            if p1 != p2:
                self.stderr.write("两次输入的密码不一致。")
                continue
            try:
                self._set(user, p1)
                return
            except CommandError as exc:
                if attempt == MAX_TRIES:
                    raise
                self.stderr.write(str(exc))
        raise CommandError(f"已尝试 {MAX_TRIES} 次，密码未修改。", returncode=2)

    def _set(self, user, raw: str) -> None:
        try:
            services.set_password(None, user, raw)
        except ValidationError as exc:
            raise CommandError(
                "密码不符合要求，未修改：" + "；".join(exc.messages), returncode=2
            ) from None
        self.stdout.write(f"用户“{user.username}”的密码已修改。")
