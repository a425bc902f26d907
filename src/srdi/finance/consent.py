"""The one consent check every partner read goes through (pages, downloads, exports, API).

An enterprise grants a bank (``DataShare.organization``) or all partner banks (``all_banks``)
some sections (``data/consent.yaml``) until a date; it withdraws by setting ``revoked_at``.

* :func:`granted` — the sections ``user`` may read of ``enterprise`` (all for non-partners;
  scope is ``srdi.accounts.scopes``'s business);
* :func:`partner_enterprises` — the enterprises a partner may see at all (any valid consent);
* :func:`require` — 404 unless the section is granted, and logs the read (:func:`record`);
* :func:`filter_profile` — an exchange-format profile cut down to the granted sections.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from srdi.accounts.roles import PartnerKind, Role

DATA = Path(__file__).parent / "data"
NOT_FOUND = "未找到该企业，或该企业未向贵机构授权共享此项数据。"


@cache
def config() -> dict:
    return yaml.safe_load((DATA / "consent.yaml").read_text(encoding="utf-8"))


def sections() -> dict[str, dict]:
    return config()["sections"]


def section_keys() -> tuple[str, ...]:
    return tuple(sections())


def section_label(key: str) -> str:
    s = sections().get(key)
    return s["label"] if s else _("其他")


def labels(keys) -> str:
    return "、".join(section_label(k) for k in section_keys() if k in set(keys))


def is_partner(user) -> bool:
    return bool(
        user and user.is_authenticated and not user.is_superuser and user.role == Role.PARTNER
    )


def is_bank(user) -> bool:
    return is_partner(user) and user.partner_kind == PartnerKind.BANK and bool(user.organization)


def consents_for(user):
    """The consents in force that name ``user``'s organisation (or all partner banks)."""
    from srdi.registry.models import DataShare

    if not is_partner(user) or not user.organization:
        return DataShare.objects.none()
    who = Q(organization=user.organization)
    if user.partner_kind == PartnerKind.BANK:
        who |= Q(all_banks=True)
    return DataShare.active().filter(who)


def partner_enterprises(user, qs=None, section: str | None = None):
    """Enterprises a partner may see (with ``section`` granted, when given)."""
    from srdi.registry.models import Enterprise

    qs = Enterprise.objects.all() if qs is None else qs
    consents = consents_for(user)
    if section is not None:
        ids = [c.enterprise_id for c in consents.only("enterprise_id", "sections")
               if section in (c.sections or [])]  # fmt: skip
        return qs.filter(pk__in=ids)
    return qs.filter(pk__in=consents.values("enterprise_id"))


def granted(user, enterprise) -> frozenset[str]:
    """The sections ``user`` may read of ``enterprise`` (every section for non-partners)."""
    if not is_partner(user):
        return frozenset(section_keys())
    out: set[str] = set()
    for c in consents_for(user).filter(enterprise=enterprise).only("sections"):
        out.update(s for s in (c.sections or []) if s in sections())
    return frozenset(out)


def may_read(user, enterprise, section: str) -> bool:
    return section in granted(user, enterprise)


def record(user, enterprise, secs, door: str, what: str = "") -> None:
    """Log one partner read (nothing for non-partners)."""
    if not is_partner(user):
        return
    from srdi.audit.middleware import current

    from .models import PartnerAccess

    PartnerAccess.objects.create(
        enterprise=enterprise,
        user=user,
        organization=user.organization,
        sections=sorted(secs, key=lambda k: section_keys().index(k) if k in sections() else 99),
        door=door,
        what=what[:200],
        ip=(getattr(current(), "ip", None) or "")[:64],
    )


def require(user, enterprise, section: str, *, door: str, what: str = "") -> None:
    """404 unless ``section`` of ``enterprise`` is granted to ``user``; logs a partner's read."""
    if not may_read(user, enterprise, section):
        raise Http404(NOT_FOUND)
    record(user, enterprise, [section], door, what)


def filter_profile(profile: dict, secs) -> dict:
    """``profile`` (exchange format) with only the keys the granted sections open."""
    from srdi.exchange import schema as S

    keys: set[str] = set(config().get("always", []))
    for s in secs:
        for k in sections().get(s, {}).get("profile_keys", []):
            if k == "__top__":
                keys.update(f.key for f in S.TOP_SECTION.fields)
            else:
                keys.add(k)
    return {k: v for k, v in profile.items() if k in keys}


# columns of the registry's list rows and the sections they belong to
ROW_SECTIONS = {
    "latest_year": "years",
    "latest_revenue": "years",
    "revenue_growth_pct": "years",
    "latest_employees": "years",
    "tier": "titles",
    "tier_label": "titles",
    "region": "basic",
    "industry_code": "basic",
    "industry_name": "basic",
}


def mask_row(user, row: dict) -> dict:
    """A registry list row with the columns of sections not granted emptied (partners)."""
    from srdi.registry.models import Enterprise

    e = Enterprise.objects.filter(uscc=row["uscc"]).first()
    secs = granted(user, e) if e else frozenset()
    out = {}
    for k, v in row.items():
        hidden = ROW_SECTIONS.get(k) is not None and ROW_SECTIONS[k] not in secs
        out[k] = ("" if isinstance(v, str) and k == "tier_label" else None) if hidden else v
    return out


def visible_for(user, section: str, qs=None):
    """``visible_enterprises(user)``, and for a partner only those granting ``section``."""
    from srdi.accounts import scopes

    if is_partner(user):
        return partner_enterprises(user, qs, section=section)
    return scopes.visible_enterprises(user, qs)
