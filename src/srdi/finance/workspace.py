"""Menu entries and home panels of finance (banks, 金融监管局, enterprises)."""

from __future__ import annotations

from srdi.accounts import scopes as acc
from srdi.accounts.roles import Role
from srdi.core import workspace

from . import consent, scopes, selectors
from .models import Need


def _uses_finance(user) -> bool:
    return bool(user.is_authenticated and (
        acc.is_official(user) or consent.is_bank(user) or scopes.is_enterprise(user)))  # fmt: skip


workspace.menu("finance", "特色金融", "/finance/", order=70, visible=_uses_finance)


@workspace.panel(
    "finance_bank", title="授权给本行的企业与待答复的融资需求",
    template="finance/_home_bank.html", roles={Role.PARTNER}, order=20,
)  # fmt: skip
def bank_panel(request):
    user = request.user
    if not consent.is_bank(user):
        return None
    waiting = selectors.waiting_needs(user)
    return {
        "shared": consent.partner_enterprises(user).count(),
        "waiting_count": waiting.count(),
        "rows": list(waiting[:8]),
    }


@workspace.panel(
    "finance_jrj", title="金融服务与上市后备（市金融监管局）",
    template="finance/_home_jrj.html", roles={Role.DEPARTMENT, Role.ADMIN}, order=40,
)  # fmt: skip
def jrj_panel(request):
    user = request.user
    if not scopes.is_finance_official(user):
        return None
    counts = selectors.need_counts(user)
    return {
        "open": counts[Need.State.OPEN]
        + counts[Need.State.CONTACTED]
        + counts[Need.State.CREDITED],
        "loaned": counts[Need.State.LOANED],
        "pool": selectors.reserve_pool(user).count(),
        "proposed": scopes.candidates(user).filter(stage="proposed").count(),
        "problems": scopes.candidates(user).filter(problems__status="open").count(),
    }


@workspace.panel(
    "finance_enterprise", title="我的融资需求与数据共享",
    template="finance/_home_enterprise.html", roles={Role.ENTERPRISE}, order=40,
)  # fmt: skip
def enterprise_panel(request):
    from srdi.registry.models import DataShare

    user = request.user
    if not scopes.is_enterprise(user):
        return None
    shares = DataShare.active().filter(enterprise_id=user.enterprise_id)
    return {
        "needs": list(scopes.needs(user).exclude(state__in=("withdrawn", "declined"))[:5]),
        "consents": shares.count(),
        "reads": scopes.accesses(user).count(),
    }
