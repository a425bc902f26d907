"""`srdi createsuperuser`: Django's command, with the password policy enforced in every mode.

Interactive use keeps Django's prompts; the "bypass password validation" answer does not get
around the policy (the user manager refuses), and ``--noinput`` with
``DJANGO_SUPERUSER_PASSWORD`` is checked as well (Django does not check it). A refused password
exits with status 2 and the policy's Chinese messages.
"""

from __future__ import annotations

from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError


class Command(createsuperuser.Command):
    help = "创建超级管理员账户（密码须符合密码策略）。"

    def handle(self, *args, **options):
        try:
            return super().handle(*args, **options)
        except CommandError as exc:
            raise CommandError(f"未创建超级管理员：{exc}", returncode=2) from None
