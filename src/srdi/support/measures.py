"""Target measures of the service system (plan 二(八)): commissioners serving enterprises and
enterprises per commissioner among the titled ones (registered with srdi.core.measures)."""

from __future__ import annotations

from fractions import Fraction

from django.contrib.auth import get_user_model

from srdi.accounts.roles import Role
from srdi.core import measures

from . import selectors


def _serving(scope):
    User = get_user_model()
    return User.objects.filter(
        role=Role.COMMISSIONER,
        is_active=True,
        assigned_enterprises__in=scope.enterprises().values("pk"),
    ).distinct()


@measures.register("support.commissioners", label="配备服务专员（有服务企业的专员）", unit="名")
def commissioners(day, scope, params):
    qs = _serving(scope).order_by("username")
    return measures.Measured(
        actual=qs.count(), items=qs, note="在岗且至少服务一家企业的服务专员（计划二(八)）"
    )


@measures.register("support.commissioner_ratio", label="每名专员服务的称号企业数", unit="家/名")
def commissioner_ratio(day, scope, params):
    titled = selectors.titled_enterprises(day, scope)
    User = get_user_model()
    serving = (
        User.objects.filter(role=Role.COMMISSIONER, is_active=True,
                            assigned_enterprises__in=titled.values("pk"))
        .distinct()
        .order_by("username")
    )  # fmt: skip
    n, c = titled.count(), serving.count()
    return measures.Measured(
        actual=Fraction(n, c) if c else None,
        items=serving,
        note=f"持有有效称号的企业 {n} 家，服务其中企业的专员 {c} 名（计划二(八)：力争每两家企业配备1名专员）",
        extra={"enterprises": n, "commissioners": c},
    )


def _requests_in(scope):
    from .models import ServiceRequest

    return ServiceRequest.objects.filter(enterprise__in=scope.enterprises().values("pk"))


@measures.register("support.requests_on_time", label="诉求按期办结率（当年提交）", unit="%")
def requests_on_time(day, scope, params):
    """Share of the requests filed in ``day``'s year and closed by ``day`` that were closed by
    their 办结 deadline (working days)."""
    from django.db.models import F

    closed = _requests_in(scope).filter(
        filed_on__year=day.year, closed_on__isnull=False, closed_on__lte=day
    )
    n = closed.count()
    on_time = closed.filter(closed_on__lte=F("close_due")).count()
    return measures.Measured(
        actual=Fraction(100 * on_time, n) if n else None,
        year=day.year,
        items=closed.select_related("enterprise").order_by("-closed_on"),
        note=f"{day.year}年提交并已办结的诉求 {n} 件，其中按期办结 {on_time} 件（办结时限按工作日计）",
    )


@measures.register("support.requests_overdue", label="逾期未办诉求", unit="件")
def requests_overdue(day, scope, params):
    from . import services

    qs = _requests_in(scope).filter(services.overdue_q(day)).select_related("enterprise")
    return measures.Measured(
        actual=qs.count(), items=qs.order_by("close_due"), note="受理或办结已超过期限（工作日）"
    )
