"""The enterprise list: one search used by the web UI, its Excel export and the JSON API.

    qs = search_enterprises(request.user, request.GET)   # scoped, filtered, annotated, sorted
    page = paginate(qs, request.GET)                      # Django Page

Scope comes first (``srdi.accounts.scopes.visible_enterprises``): nothing outside the user's
scope can be found by any parameter. Then search (name contains / USCC prefix), filters
(板块, industry code prefix, tier, title status, synthetic) and sorting. Every row is annotated
with subqueries (no N+1): ``tier`` (highest currently valid title), ``tier_rank``,
``latest_year`` / ``latest_revenue`` (latest year with a known revenue), ``prev_revenue``
(the year before), ``growth`` (revenue growth in %, NULL when unknown) and ``latest_employees``.

Bad parameters raise :class:`ListParamError` with a Chinese message per parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from srdi.accounts import scopes
from srdi.exchange.schema import TITLE_TIERS

from .models import AnnualFigures, Enterprise, Region, Title

#: tiers from lowest to highest (科技型中小企业 is the pool below 创新型中小企业)
TIER_ORDER: tuple[str, ...] = (
    "tech_sme",
    "innovative_sme",
    "srdi_sme",
    "little_giant",
    "single_champion",
)
TIER_LABELS: dict[str, str] = dict(TITLE_TIERS)
NO_TIER = "none"
TIER_CHOICES: tuple[tuple[str, str], ...] = (
    *((t, TIER_LABELS[t]) for t in reversed(TIER_ORDER)),
    (NO_TIER, "无有效称号"),
)
TITLE_STATUS_CHOICES: tuple[tuple[str, str], ...] = tuple(
    (v, str(label)) for v, label in Title.Status.choices
)

#: sort key → (label, expressions for ascending order)
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("企业名称", ("name",)),
    "uscc": ("统一社会信用代码", ("uscc",)),
    "region": ("板块", ("region__sort_order", "region__name")),
    "industry": ("行业代码", ("industry_code",)),
    "tier": ("最高有效称号", ("tier_rank",)),
    "revenue": ("最新营业收入", ("latest_revenue",)),
    "growth": ("营业收入增长率", ("growth",)),
    "employees": ("从业人员", ("latest_employees",)),
    "established": ("成立日期", ("established",)),
}
DEFAULT_SORT = "name"
PER_PAGE = 25
MAX_PER_PAGE = 200

#: the parameters the list understands (UI query string = API query parameters)
PARAM_NAMES = (
    "q",
    "region",
    "industry",
    "tier",
    "title_status",
    "synthetic",
    "sort",
    "page",
    "per_page",
)


class ListParamError(ValueError):
    """Bad list parameters: ``errors`` maps the parameter name to a Chinese message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("；".join(f"{k}：{v}" for k, v in self.errors.items()))


@dataclass
class ListParams:
    q: str = ""
    region: Region | None = None
    industry: str = ""
    tier: str = ""
    title_status: str = ""
    synthetic: bool | None = None
    sort: str = DEFAULT_SORT
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE
    raw: dict = field(default_factory=dict)

    @property
    def sort_param(self) -> str:
        return ("-" if self.descending else "") + self.sort

    def query_string(self, **override) -> str:
        """The query string of these parameters (for links), with overrides; page 1 is dropped."""
        from urllib.parse import urlencode

        data = {k: v for k, v in self.raw.items() if v not in ("", None)}
        data.update({k: v for k, v in override.items()})
        data = {k: v for k, v in data.items() if v not in ("", None)}
        if str(data.get("page", "")) == "1":
            data.pop("page")
        if data.get("sort") == DEFAULT_SORT:
            data.pop("sort")
        return urlencode(data)


def _get(params: Mapping, key: str) -> str:
    value = params.get(key, "") if params is not None else ""
    if value is None:
        return ""
    return str(value).strip()


def _positive_int(text: str, name: str, label: str, errors: dict, default: int) -> int:
    if text == "":
        return default
    try:
        n = int(text)
    except ValueError:
        errors[name] = f"{label}应为正整数，实际为“{text}”"
        return default
    if n < 1:
        errors[name] = f"{label}应为正整数，实际为“{text}”"
        return default
    return n


def parse_params(params: Mapping | ListParams | None) -> ListParams:
    """Read and check list parameters (a QueryDict, a dict or ListParams)."""
    if isinstance(params, ListParams):
        return params
    params = params or {}
    errors: dict[str, str] = {}
    raw = {k: _get(params, k) for k in PARAM_NAMES}
    p = ListParams(raw=raw)
    p.q = raw["q"][:200]

    region = raw["region"]
    if region:
        qs = Region.objects.filter(pk=int(region)) if region.isdigit() else None
        found = qs.first() if qs is not None else None
        if found is None:
            found = Region.objects.filter(Q(name=region) | Q(short_name=region)).first()
        if found is None:
            errors["region"] = f"未知的板块“{region}”"
        p.region = found

    industry = raw["industry"].upper()
    if industry:
        from srdi.exchange.validate import industry_section

        if not industry.isalnum() or len(industry) > 5:
            errors["industry"] = (
                f"行业代码“{raw['industry']}”格式错误（应为 GB/T 4754-2017 门类、大类或小类代码，如 C34、C3484）"
            )
        elif industry[0].isdigit():
            section = industry_section(industry)
            if section is None or not industry.isdigit():
                errors["industry"] = f"行业代码“{raw['industry']}”中的大类不存在"
            else:
                industry = section + industry
        p.industry = industry

    tier = raw["tier"]
    if tier:
        if tier not in dict(TIER_CHOICES):
            allowed = "、".join(f"{v}（{label}）" for v, label in TIER_CHOICES)
            errors["tier"] = f"未知的称号梯度“{tier}”，应为：{allowed}"
        p.tier = tier

    status = raw["title_status"]
    if status:
        if status not in dict(TITLE_STATUS_CHOICES):
            allowed = "、".join(f"{v}（{label}）" for v, label in TITLE_STATUS_CHOICES)
            errors["title_status"] = f"未知的称号状态“{status}”，应为：{allowed}"
        p.title_status = status

    synthetic = raw["synthetic"].lower()
    if synthetic:
        if synthetic in {"1", "true", "yes", "on"}:
            p.synthetic = True
        elif synthetic in {"0", "false", "no", "off"}:
            p.synthetic = False
        else:
            errors["synthetic"] = (
                f"演示数据筛选应为 1（仅演示数据）或 0（仅真实数据），实际为“{synthetic}”"
            )

    sort = raw["sort"] or DEFAULT_SORT
    key = sort.lstrip("-")
    if key not in SORTS:
        allowed = "、".join(f"{k}（{label}）" for k, (label, _) in SORTS.items())
        errors["sort"] = f"无法按“{sort}”排序，可用：{allowed}（前加 - 为降序）"
    else:
        p.sort, p.descending = key, sort.startswith("-")

    p.page = _positive_int(raw["page"], "page", "页码", errors, 1)
    p.per_page = min(
        _positive_int(raw["per_page"], "per_page", "每页条数", errors, PER_PAGE), MAX_PER_PAGE
    )
    if errors:
        raise ListParamError(errors)
    return p


def scoped(user) -> QuerySet:
    """The enterprises `user` may read, as a plain (non-DISTINCT) queryset."""
    qs = scopes.visible_enterprises(user)
    if qs.query.distinct:
        # e.g. commissioners (a many-to-many join): keep the outer query free of DISTINCT so
        # that annotations and ORDER BY stay simple.
        qs = Enterprise.objects.filter(pk__in=qs.values("pk"))
    return qs


def _valid_on(today) -> Q:
    """Title dates cover `today` (Title.is_valid_on: a missing date does not limit)."""
    return (Q(granted__isnull=True) | Q(granted__lte=today)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def _tier_rank_sql(today) -> RawSQL:
    """Rank (1–5, 0 = none) of the highest title valid on `today` — one aggregate per row."""
    t = Title._meta.db_table
    e = Enterprise._meta.db_table
    cases = " ".join(f"WHEN '{tier}' THEN {i + 1}" for i, tier in enumerate(TIER_ORDER))
    sql = (
        f"COALESCE((SELECT MAX(CASE t.tier {cases} ELSE 0 END) FROM {t} t "
        f"WHERE t.enterprise_id = {e}.id AND t.status <> %s "
        "AND (t.granted IS NULL OR t.granted <= %s) "
        "AND (t.valid_until IS NULL OR t.valid_until >= %s)), 0)"
    )
    return RawSQL(sql, (Title.Status.REVOKED.value, today, today), output_field=IntegerField())


def _growth_sql() -> RawSQL:
    """Revenue growth (%) of the latest year with a known revenue over the year before;
    NULL when either is unknown or the year before is 0 — two index lookups per row."""
    a = AnnualFigures._meta.db_table
    e = Enterprise._meta.db_table
    sql = (
        "(SELECT CASE WHEN p.revenue > 0 THEN (c.revenue - p.revenue) * 100 / p.revenue END "
        f"FROM {a} c LEFT JOIN {a} p ON p.enterprise_id = c.enterprise_id AND p.year = c.year - 1 "
        f"WHERE c.enterprise_id = {e}.id AND c.revenue IS NOT NULL "
        "ORDER BY c.year DESC LIMIT 1)"
    )
    return RawSQL(sql, (), output_field=DecimalField(max_digits=20, decimal_places=4))


def annotate_list(qs: QuerySet, today=None) -> QuerySet:
    """Add tier, latest figures and growth to each enterprise (correlated subqueries).

    The two expensive ones (tier rank, growth) are hand-written SQL that refers to the outer
    table by its name: use the result as a top-level query (not inside ``pk__in=``).
    """
    today = today or timezone.localdate()
    figs = AnnualFigures.objects.filter(enterprise=OuterRef("pk")).order_by()
    with_revenue = figs.filter(revenue__isnull=False).order_by("-year")
    qs = qs.annotate(
        tier_rank=_tier_rank_sql(today),
        latest_year=Subquery(with_revenue.values("year")[:1]),
        latest_revenue=Subquery(with_revenue.values("revenue")[:1]),
        latest_employees=Subquery(
            figs.filter(employees__isnull=False).order_by("-year").values("employees")[:1]
        ),
        growth=_growth_sql(),
    )
    return qs.annotate(
        tier=Case(
            *(When(tier_rank=i + 1, then=Value(t)) for i, t in enumerate(TIER_ORDER)),
            default=None,
            output_field=CharField(),
        )
    )


def _title_status_q(status: str, today) -> Q:
    """Enterprises with at least one title in `status` (dates taken into account)."""
    from django.db.models import Exists

    titles = Title.objects.filter(enterprise=OuterRef("pk"))
    if status == Title.Status.VALID:
        titles = titles.filter(_valid_on(today), status=Title.Status.VALID)
    elif status == Title.Status.EXPIRED:
        titles = titles.filter(
            Q(status=Title.Status.EXPIRED) | Q(status=Title.Status.VALID, valid_until__lt=today)
        )
    else:
        titles = titles.filter(status=status)
    return Q(Exists(titles))


def search_enterprises(user, params: Mapping | ListParams | None = None, *, today=None) -> QuerySet:
    """The enterprises `user` may read that match `params`, annotated and sorted."""
    p = parse_params(params)
    today = today or timezone.localdate()
    qs = scoped(user)
    if p.q:
        q = p.q
        cond = Q(name__icontains=q)
        if q.isascii() and q.replace(" ", "").isalnum():
            cond |= Q(uscc__startswith=q.replace(" ", "").upper())
        qs = qs.filter(cond)
    if p.region is not None:
        qs = qs.filter(region=p.region)
    if p.industry:
        qs = qs.filter(industry_code__startswith=p.industry)
    if p.synthetic is not None:
        qs = qs.filter(is_synthetic=p.synthetic)
    if p.title_status:
        qs = qs.filter(_title_status_q(p.title_status, today))
    qs = annotate_list(qs.select_related("region", "industry"), today)
    if p.tier:
        qs = qs.filter(tier_rank=0 if p.tier == NO_TIER else TIER_ORDER.index(p.tier) + 1)
    order = []
    for expr in SORTS[p.sort][1]:
        f = F(expr)
        order.append(f.desc(nulls_last=True) if p.descending else f.asc(nulls_last=True))
    if p.sort != "uscc":
        order.append(F("uscc").asc())  # stable order for paging
    return qs.order_by(*order)


@contextmanager
def no_jit():
    """Evaluate list queries without PostgreSQL's JIT compiler (transaction-local).

    Sorting all enterprises by a computed figure has a high estimated cost, for which the
    JIT spends seconds compiling what runs in a fraction of that as plain index lookups
    (bench/RESULTS-listing.md). No effect on other databases.
    """
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")
        yield


@contextmanager
def no_jit_session():
    """Like :func:`no_jit` but for the session, without a transaction: for a background job
    that writes its progress while it reads (progress written inside a transaction would
    stay invisible to the job page until the end). No effect on other databases."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET jit")


def paginate(qs: QuerySet, params: Mapping | ListParams | None = None):
    """The requested page (a Django Page); a page past the end gives the last page."""
    p = parse_params(params)
    return Paginator(qs, p.per_page).get_page(p.page)


def tier_label(tier: str | None) -> str:
    return TIER_LABELS.get(tier or "", "") or "无"
