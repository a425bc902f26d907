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
