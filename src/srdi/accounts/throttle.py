"""Login throttling that cannot be turned against users.

Within the window (``SRDI_LOGIN_LOCKOUT_MINUTES``) failures are counted

- per **(account, client address)**: ``SRDI_LOGIN_MAX_FAILURES`` (5) failures since that pair's
  last success lock that account *from that address only*;
- per **client address** across all accounts: ``SRDI_LOGIN_MAX_FAILURES_PER_ADDRESS`` (30)
  failures lock the address (password spraying), a limit well above one user's mistakes.

An account is never locked for every address: whoever guesses `admin`'s password five times
locks only themselves. Failures of one account from many addresses (a distributed guess) raise
an alert to the administrators instead (``SRDI_LOGIN_ALERT_FAILURES``), once per window.

The client address is ``REMOTE_ADDR`` after srdi.core.security.TrustedProxyMiddleware (the
``X-Forwarded-For`` of a configured trusted proxy, never a header from anyone else). Every
failure, lock, alert and unlock is written to the audit log (actions ``login_failed``,
``login_locked``, ``login_attack``, ``login_unlock``); administrators see current locks and
recent failures at /accounts/security/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from .models import LoginAttempt


def valid_ip(text: str | None) -> str | None:
    """`text` as a normalised IP address, or None."""
    import ipaddress

    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None


def account_key(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def window() -> timedelta:
    return timedelta(minutes=settings.SRDI_LOGIN_LOCKOUT_MINUTES)


@dataclass(frozen=True)
class Lock:
    kind: str  # "account" (this account from this address) | "address" (every account)
    account: str
    ip: str | None
    failures: int
    until: datetime

    @property
    def minutes_left(self) -> int:
        seconds = (self.until - timezone.now()).total_seconds()
        return max(1, int(seconds // 60) + (1 if seconds % 60 else 0))


def _failures():
    return LoginAttempt.objects.filter(success=False, refused=False, cleared=False)


def _lock_until(times: list[datetime], limit: int) -> datetime:
    """When the count drops below `limit`: the limit-th newest failure leaves the window."""
    times = sorted(times, reverse=True)
    return times[limit - 1] + window()


def pair_failures(account: str, ip: str | None) -> list[datetime]:
    since = timezone.now() - window()
    attempts = LoginAttempt.objects.filter(account=account, ip=ip, at__gte=since)
    last_ok = attempts.filter(success=True).aggregate(m=Max("at"))["m"]
    qs = _failures().filter(account=account, ip=ip, at__gte=since)
    if last_ok:
        qs = qs.filter(at__gt=last_ok)
    return list(qs.values_list("at", flat=True))


def address_failures(ip: str | None) -> list[datetime]:
    if not ip:
        return []
    since = timezone.now() - window()
    return list(_failures().filter(ip=ip, at__gte=since).values_list("at", flat=True))


def lock_for(username: str, ip: str | None) -> Lock | None:
    """The lock that refuses this account from this address now, if any."""
    account = account_key(username)
    by_address = address_failures(ip)
    limit = settings.SRDI_LOGIN_MAX_FAILURES_PER_ADDRESS
    if ip and len(by_address) >= limit:
        return Lock("address", account, ip, len(by_address), _lock_until(by_address, limit))
    by_pair = pair_failures(account, ip)
    limit = settings.SRDI_LOGIN_MAX_FAILURES
    if len(by_pair) >= limit:
        return Lock("account", account, ip, len(by_pair), _lock_until(by_pair, limit))
    return None


def _audit(action: str, *, account: str, ip: str | None, note: str, after=None):
    from srdi.audit.services import record

    record(
        actor=None,
        action=action,
        object_type="accounts.loginattempt",
        object_id=account[:64],
        object_repr=account[:255],
        ip=ip,
        after=after,
        note=note,
    )


def record_refused(username: str, ip: str | None, door: str, lock: Lock) -> None:
    """An attempt refused because of `lock` (the password was not even checked)."""
    LoginAttempt.objects.create(
        username=(username or "")[:150],
        account=account_key(username),
        ip=ip or None,
        success=False,
        refused=True,
        door=door,
    )
    what = "该地址" if lock.kind == "address" else "该账户在该地址"
    _audit(
        "login_refused",
        account=account_key(username),
        ip=ip,
        note=f"登录被拒绝：{what}已锁定（还剩约 {lock.minutes_left} 分钟）",
    )


def record_failure(username: str, ip: str | None, door: str) -> Lock | None:
    """A wrong user name or password: recorded, audited; returns the lock it starts, if any."""
    account = account_key(username)
    LoginAttempt.objects.create(
        username=(username or "")[:150], account=account, ip=ip or None, success=False, door=door
    )
    _audit(
        "login_failed",
        account=account,
        ip=ip,
        note="登录失败：用户名或密码不正确",
    )
    lock = lock_for(username, ip)
    pair_n = len(pair_failures(account, ip))
    addr_n = len(address_failures(ip))
    started = (
        lock is not None and lock.kind == "account" and pair_n == settings.SRDI_LOGIN_MAX_FAILURES
    ) or (
        lock is not None
        and lock.kind == "address"
        and addr_n == settings.SRDI_LOGIN_MAX_FAILURES_PER_ADDRESS
    )
    if started:
        if lock.kind == "address":
            note = f"地址 {ip} 已锁定：{addr_n} 次失败（多个账户），至 {timezone.localtime(lock.until):%H:%M}"
        else:
            note = (
                f"账户 {account} 在地址 {ip or '未知'} 已锁定：连续 {pair_n} 次失败，"
                f"至 {timezone.localtime(lock.until):%H:%M}"
            )
        _audit(
            "login_locked",
            account=account,
            ip=ip,
            note=note,
            after={"kind": lock.kind, "failures": lock.failures, "until": lock.until.isoformat()},
        )
    _maybe_alert(account)
    return lock


def _maybe_alert(account: str) -> None:
    """Many failures of one account from many addresses: tell the administrators (no lock)."""
    since = timezone.now() - window()
    qs = _failures().filter(account=account, at__gte=since)
    n = qs.count()
    if n != settings.SRDI_LOGIN_ALERT_FAILURES:
        return
    addresses = qs.exclude(ip__isnull=True).values("ip").distinct().count()
    note = (
        f"账户 {account} 在 {settings.SRDI_LOGIN_LOCKOUT_MINUTES} 分钟内登录失败 {n} 次"
        f"（来自 {addresses} 个地址），可能正被猜测密码；账户未被锁定，请核查。"
    )
    _audit("login_attack", account=account, ip=None, note=note)
    from django.contrib.auth import get_user_model

    from srdi.accounts.roles import Role
    from srdi.core.notifications import notify

    admins = get_user_model().objects.filter(is_active=True, role=Role.ADMIN)
    stamp = timezone.localtime().strftime("%Y%m%d%H")
    notify(
        admins,
        kind="login_attack",
        title=f"登录安全提醒：账户 {account} 多次登录失败",
        body=note,
        link="/accounts/security/",
        dedupe_key=f"login_attack:{account}:{stamp}",
        category="系统安全",
    )


def record_success(username: str, ip: str | None, door: str, user=None) -> None:
    from srdi.audit.services import record

    LoginAttempt.objects.create(
        username=(username or "")[:150],
        account=account_key(username),
        ip=ip or None,
        success=True,
        door=door,
    )
    record(
        actor=user,
        action="login",
        obj=user,
        ip=ip,
        note=f"登录成功（{LoginAttempt.Door(door).label}）",
    )


def current_locks() -> list[Lock]:
    """Every lock in force now (for the administrators' page)."""
    since = timezone.now() - window()
    recent = _failures().filter(at__gte=since)
    locks: list[Lock] = []
    for ip in recent.exclude(ip__isnull=True).values_list("ip", flat=True).distinct():
        times = address_failures(ip)
        if len(times) >= settings.SRDI_LOGIN_MAX_FAILURES_PER_ADDRESS:
            limit = settings.SRDI_LOGIN_MAX_FAILURES_PER_ADDRESS
            locks.append(Lock("address", "", ip, len(times), _lock_until(times, limit)))
    pairs = recent.values_list("account", "ip").distinct()
    for account, ip in pairs:
        times = pair_failures(account, ip)
        if len(times) >= settings.SRDI_LOGIN_MAX_FAILURES:
            limit = settings.SRDI_LOGIN_MAX_FAILURES
            locks.append(Lock("account", account, ip, len(times), _lock_until(times, limit)))
    return sorted(locks, key=lambda x: x.until, reverse=True)


def unlock(actor, *, kind: str, account: str = "", ip: str | None = None) -> int:
    """An administrator lifts a lock: the failures it counted are marked cleared (kept)."""
    from srdi.audit.services import record

    since = timezone.now() - window()
    qs = _failures().filter(at__gte=since)
    if kind == "address":
        qs = qs.filter(ip=ip)
        what = f"地址 {ip}"
    else:
        qs = qs.filter(account=account_key(account), ip=ip or None)
        what = f"账户 {account_key(account)}（地址 {ip or '未知'}）"
    n = qs.update(cleared=True)
    record(
        actor=actor,
        action="login_unlock",
        object_type="accounts.loginattempt",
        object_id=(account_key(account) or ip or "")[:64],
        object_repr=what[:255],
        after={"kind": kind, "account": account_key(account), "ip": ip, "failures": n},
        note=f"解除登录锁定：{what}",
    )
    return n
