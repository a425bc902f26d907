"""In-app inbox and e-mail: the one way the platform tells people something.

    notify(users, kind="policy_match", title=..., body=..., link=..., dedupe_key="policy:12:ent:34",
           email=True, category="资金奖补")

A (user, dedupe_key) pair is delivered once: calling again with the same key does nothing, so
re-running a match never sends a duplicate notice. Returns the notifications newly created.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification

log = logging.getLogger(__name__)


def notify(
    users: Iterable,
    *,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
    enterprise_uscc: str = "",
    category: str = "",
    email: bool = False,
) -> list[Notification]:
    created: list[Notification] = []
    for user in {u.pk: u for u in users if u is not None}.values():
        if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    user=user,
                    kind=kind,
                    category=category,
                    title=title[:200],
                    body=body,
                    link=link,
                    dedupe_key=dedupe_key,
                    enterprise_uscc=enterprise_uscc,
                )
        except IntegrityError:  # concurrent duplicate
            continue
        created.append(n)
        if email and user.email:
            send_email(n)
    return created


def send_email(n: Notification) -> bool:
    """Send one notification by e-mail through the configured SMTP server; record when."""
    body = n.body
    if n.link:
        body += f"\n\n详情：{n.link}"
    try:
        send_mail(
            subject=f"【{settings.SRDI_SITE_NAME}】{n.title}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[n.user.email],
        )
    except OSError as exc:  # SMTP down: the inbox still has it; the failure is logged
        log.warning("邮件发送失败 %s: %s", n.user.email, exc)
        return False
    Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())
    return True


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, pk: int) -> None:
    Notification.objects.filter(user=user, pk=pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
