"""Enterprise registry pages: list (+ Excel export), detail, edit forms per section, create.

Scope rules (same as the JSON API, see api.py):

* an enterprise the user may not read is answered **404** (“未找到该企业，或您无权查看”), exactly
  like an unknown USCC, so that existence is not revealed;
* an enterprise the user may read but not change (or a section outside their domain) is
  answered **403**;
* every write goes through ``srdi.registry.services`` (validation, scope per section, sources,
  audit); views never write to models.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from srdi.accounts import scopes
from srdi.core import access
from srdi.core import formatting as fmt
from srdi.exchange import ProfileErrors
from srdi.exchange import schema as S

from . import forms as F
from . import list_export, listing
from .display import Cell, SourceIndex, fmt_value
from .list_export import EXPORT_HEADERS, export_rows, write_export  # noqa: F401 (re-exported)
from .models import Enterprise, Region, Title

NOT_FOUND = "未找到该企业，或您无权查看。"


def _partner(user) -> bool:
    from srdi.finance import consent

    return consent.is_partner(user)


def enterprise_for(user, uscc: str) -> Enterprise:
    """The enterprise `uscc` if `user` may read it; Http404 otherwise (unknown or out of scope)."""
    qs = Enterprise.objects.select_related("region", "industry")
    try:
        return access.get(user, qs, uscc=(uscc or "").strip().upper())
    except Http404:
        raise Http404(NOT_FOUND) from None


# ------------------------------------------------------------------------------------ list


LIST_COLUMNS = (
    ("name", "企业名称"),
    ("uscc", "统一社会信用代码"),
    ("region", "板块"),
    ("industry", "行业"),
    ("tier", "最高有效称号"),
    ("revenue", "最新营业收入（万元）"),
    ("growth", "增长率（%）"),
    ("employees", "从业人员"),
)


def _columns(params: listing.ListParams) -> list[dict]:
    out = []
    for key, label in LIST_COLUMNS:
        active = params.sort == key
        # first click on a figure sorts descending (largest first), on text ascending
        numeric = key in {"tier", "revenue", "growth", "employees"}
        if active:
            target = key if params.descending else f"-{key}"
        else:
            target = f"-{key}" if numeric else key
        out.append(
            {
                "key": key,
                "label": label,
                "url": "?" + params.query_string(sort=target, page=""),
                "active": active,
                "descending": active and params.descending,
                "numeric": numeric,
            }
        )
    return out


def _row(e) -> dict:
    return {
        "e": e,
        "tier_label": listing.tier_label(e.tier) if e.tier else "",
        "revenue": fmt_value(e.latest_revenue, S.field_by_path("years.*.revenue")),
        "growth": (
            Cell(fmt.number(e.growth, 1)) if e.growth is not None else Cell("未知", unknown=True)
        ),
        "employees": fmt_value(e.latest_employees, S.field_by_path("years.*.employees")),
    }


def regions_in_scope(user):
    """The 板块 filter lists only the 板块 the user may see enterprises of."""
    qs = Region.objects.filter(active=True).order_by("sort_order", "name")
    if scopes.sees_all_enterprises(user):
        return qs
    return qs.filter(pk__in=scopes.visible_enterprises(user).values("region_id"))


@login_required
def enterprise_list(request):
    if _partner(request.user):  # partners read through consent: the finance pages
        return redirect("finance:shared")
    errors: dict[str, str] = {}
    try:
        params = listing.parse_params(request.GET)
    except listing.ListParamError as exc:
        errors = exc.errors
        clean = {k: v for k, v in request.GET.items() if k not in errors}
        params = listing.parse_params(clean)
    qs = listing.search_enterprises(request.user, params)
    with listing.no_jit():
        page = listing.paginate(qs, params)
        rows = [_row(e) for e in page]
        total_in_scope = listing.scoped(request.user).count()
    ctx = {
        "params": params,
        "errors": errors,
        "page": page,
        "rows": rows,
        "columns": _columns(params),
        "regions": regions_in_scope(request.user),
        "tiers": listing.TIER_CHOICES,
        "title_statuses": listing.TITLE_STATUS_CHOICES,
        "total_in_scope": total_in_scope,
        "export_url": reverse("registry:export") + "?" + params.query_string(page=""),
        "export_in_background": page.paginator.count > list_export.background_rows(),
        "prev_url": (
            "?" + params.query_string(page=page.previous_page_number())
            if page.has_previous()
            else ""
        ),
        "next_url": (
            "?" + params.query_string(page=page.next_page_number()) if page.has_next() else ""
        ),
        "first_url": "?" + params.query_string(page=""),
        "last_url": "?" + params.query_string(page=page.paginator.num_pages),
        "may_create": scopes.may_create_enterprise(request.user),
    }
    return render(request, "registry/list.html", ctx)


@login_required
def enterprise_export(request):
    """The filtered list as .xlsx: written at once, or — above the background threshold
    (settings ``SRDI_EXPORT_BACKGROUND_ROWS``) — as a job whose page offers the download."""
    if _partner(request.user):
        return redirect("finance:shared")
    try:
        params = listing.parse_params(request.GET)
    except listing.ListParamError as exc:
        messages.error(request, "导出失败：" + "；".join(exc.errors.values()))
        return redirect(reverse("registry:list") + "?" + request.GET.urlencode())
    qs = listing.search_enterprises(request.user, params)
    with listing.no_jit():
        count = qs.count()
    if count > list_export.background_rows():
        job = list_export.start_job(request.user, params, count)
        messages.info(
            request,
            _(
                "符合条件的企业共 %(n)s 家，导出已转为后台任务；完成后可在本页下载，也会发送站内消息。"
            )
            % {"n": f"{count:,}"},
        )
        return redirect("core:job", pk=job.pk)
    tmp = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)
    with listing.no_jit():
        write_export(qs, tmp)
    tmp.seek(0)
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=list_export.filename(),
        content_type=list_export.CONTENT_TYPE,
    )


# ------------------------------------------------------------------------------------ detail


def _get(profile: dict, path: str):
    d = profile
    for part in path.split("."):
        if not isinstance(d, dict):
            return None
        d = d.get(part)
    return d


def _field_rows(profile, paths, sources: SourceIndex, fs: dict) -> list[dict]:
    rows = []
    for path in paths:
        f = S.field_by_path(path)
        cell = fmt_value(_get(profile, path), f)
        cell.source = sources.number(fs, path, path.replace(".", "_"))
        rows.append({"path": path, "label": f.header, "cell": cell, "field": f})
    return rows


def _title_state(t: Title, today: dt.date) -> tuple[str, str]:
    """(label, badge class) of a title today."""
    if t.status == Title.Status.REVOKED:
        return "已撤销", "bad"
    if t.status == Title.Status.UNDER_REVIEW:
        return "复核中", "warn"
    if t.status == Title.Status.EXPIRED or (t.valid_until and t.valid_until < today):
        return "已到期", "warn"
    if t.granted and t.granted > today:
        return "尚未生效", "warn"
    return "有效", "ok"


def _edit_links(user, e) -> list[dict]:
    links = []
    for key, (label, paths) in F.SECTIONS.items():
        if F.writable_paths(user, e, paths):
            links.append({"label": label, "url": reverse("registry:edit", args=[e.uscc, key])})
    if any(scopes.may_write(user, e, s) for s in (*F.ARRAY_SECTIONS, "development_scores")):
        links.append(
            {
                "label": F.RECOGNITION_LABEL,
                "url": reverse("registry:edit_recognition", args=[e.uscc]),
            }
        )
    return links


def _may_write_years(user, e) -> bool:
    return any(scopes.may_write(user, e, f"years.{k}") for k in F.YEAR_KEYS)


@login_required
def enterprise_detail(request, uscc):
    from srdi.recognition.selectors import enterprise_honours

    from .selectors import normalised_profile

    e = enterprise_for(request.user, uscc)
    if _partner(request.user):  # only the granted sections, logged: srdi.finance.consent
        return redirect("finance:shared_detail", uscc=e.uscc)
    profile = normalised_profile(e)
    years = list(e.years.all().order_by("year"))
    sources = SourceIndex(e.field_sources, *(y.field_sources for y in years))
    fs = e.field_sources or {}
    today = timezone.localdate()

    identity_paths = [
        "established",
        "size_sector",
        "main_product",
        "niche_since",
        "sei_code",
        "foundation_field",
        "rd_institution",
        "digital_level",
        "local_featured_points",
    ]
    flag_paths = [
        "priority_field",
        "modern_industry_field",
        "time_honored_brand",
        "serves_chain_leader",
        "chain_breakthrough",
        "key_chain_position",
        "mgmt_certified",
        "intl_product_cert",
        "info_system",
    ]
    year_rows = []
    for f in S.section("years").fields:
        cells = []
        for y in years:
            c = fmt_value(getattr(y, f.key), f)
            c.source = sources.number(y.field_sources, f.key)
            cells.append(c)
        year_rows.append({"label": f.header, "key": f.key, "cells": cells})

    titles = []
    for t in e.titles.all().order_by("-granted"):
        state, badge = _title_state(t, today)
        titles.append(
            {
                "t": t,
                "tier": listing.TIER_LABELS.get(t.tier, t.tier),
                "level": dict(S.TITLE_LEVELS).get(t.level, t.level),
                "state": state,
                "badge": badge,
            }
        )
    honors_labels = dict(S.HONOR_TYPES)
    ctx = {
        "e": e,
        "profile": profile,
        "identity": _field_rows(profile, identity_paths, sources, fs),
        "industry_name": e.industry.name if e.industry_id else "",
        "industry_unverified": bool(e.industry_id and e.industry.needs_verification),
        "region_unverified": bool(e.region_id and e.region.needs_verification),
        "region_source": sources.number(fs, "region"),
        "industry_source": sources.number(fs, "industry_code"),
        "flags": _field_rows(profile, flag_paths, sources, fs),
        "market": _field_rows(profile, [f.path for f in S.section("market").fields], sources, fs),
        "quality": _field_rows(profile, [f.path for f in S.section("quality").fields], sources, fs),
        "compliance": _field_rows(
            profile, [f.path for f in S.section("compliance").fields], sources, fs
        ),
        "ip": _field_rows(profile, F.IP_PATHS, sources, fs),
        "ip_assets": list(e.ip_assets.all().order_by("-granted")),
        "years": years,
        "year_rows": year_rows,
        "titles": titles,
        "titles_source": sources.number(fs, "titles"),
        "awards": [
            {"a": a, "level": dict(S.AWARD_LEVELS).get(a.level, a.level)}
            for a in e.awards.all().order_by("-year")
        ],
        "awards_source": sources.number(fs, "awards"),
        "maker_china": [
            {"m": m, "group": dict(S.MAKER_CHINA_GROUPS).get(m.group, m.group)}
            for m in e.maker_china.all().order_by("-year")
        ],
        "maker_china_source": sources.number(fs, "maker_china"),
        "honors": [
            {"h": h, "type": honors_labels.get(h.type, h.type)}
            for h in e.honors.all().order_by("type")
        ],
        "honors_source": sources.number(fs, "honors"),
        # the registers kept by the departments (市长质量奖, 江苏精品, 智能车间 …)
        "honours": enterprise_honours(request.user, e),
        "scores": [
            {"s": s, "source": sources.number(fs, f"development_scores.{s.year}")}
            for s in e.development_scores.all().order_by("-year")
        ],
        "edit_links": _edit_links(request.user, e),
        "may_write_years": _may_write_years(request.user, e),
        "is_official": scopes.is_official(request.user),
    }
    ctx["sources"] = sources.listing()  # after every lookup above
    return render(request, "registry/detail.html", ctx)


# ------------------------------------------------------------------------------------ edit


def _apply_problems(form, problems, field_names: dict[str, str]) -> None:
    """Put the service's problems on the form (by field path) or as non-field errors."""
    for p in problems:
        path = p.field or ""
        name = field_names.get(path)
        if name is not None and name in form.fields:
            form.add_error(name, p.message)
        else:
            form.add_error(None, f"{path}：{p.message}" if path else p.message)


def _refuse_hidden(request, user, e, paths) -> None:
    """A POST carrying a field the user may not write is refused (403), not ignored."""
    for path in paths:
        if F.form_name(path) in request.POST and not scopes.may_write(
            user, e, F.scope_section(path)
        ):
            scopes.require_write(user, e, F.scope_section(path))


def _emptied_known(form, schema_fields, profile) -> tuple[list[str], bool]:
    """The known measurements the user emptied (to be set back to “unknown” once confirmed),
    and whether the rest may be saved: emptying a known attribute (dates, names, codes) is
    refused with a message, since an absent value means “unchanged” in a partial update.
    Declarations are not looked at: emptied, they mean “none” (false / 0)."""
    to_clear: list[str] = []
    ok = True
    for path, f in schema_fields:
        if f.kind == S.DECLARATION:
            continue
        name = F.form_name(path)
        if name not in form.cleaned_data or form.cleaned_data.get(name) not in (None, ""):
            continue
        if _get(profile, path) is None:
            continue
        if f.kind == S.MEASUREMENT:
            to_clear.append(path)
        else:
            form.add_error(
                name,
                _("%(label)s已有内容，不能清空；如有误，请填写正确的内容。") % {"label": f.label},
            )
            ok = False
    return to_clear, ok


CONFIRM_CLEAR = "confirm_clear"
CLEAR_PATHS = "clear_paths"


def _clear_confirmation(request, to_clear: list[str]) -> tuple[dict | None, str]:
    """``(None, "")`` if emptying ``to_clear`` was confirmed on this very list of fields (or
    there is nothing to clear); otherwise the confirmation to show and why nothing was saved."""
    if not to_clear:
        return None, ""
    listed = ",".join(sorted(to_clear))
    confirmed = request.POST.get(CONFIRM_CLEAR) == "1"
    if confirmed and request.POST.get(CLEAR_PATHS) == listed:
        return None, ""
    message = (
        _("要改为“未知”的数值有变化，请重新确认。未保存任何内容。")
        if confirmed  # confirmed, but for another list of fields
        else _(
            "您清空了已有的数值。清空表示改为“未知”（未报送），不是 0；"
            "请勾选下方的确认框后再保存，或填回原来的数值。未保存任何内容。"
        )
    )
    confirm = {
        "paths": listed,
        "labels": [S.path_label(p) for p in sorted(to_clear)],
        "name": CONFIRM_CLEAR,
        "paths_name": CLEAR_PATHS,
    }
    return confirm, message


def _clear_confirmed(request, form, to_clear: list[str]) -> dict | None:
    """None if confirmed; else the confirmation to show (the form says why nothing was saved
    and the confirmation box gets the keyboard focus)."""
    confirm, message = _clear_confirmation(request, to_clear)
    if confirm is not None:
        form.add_error(None, message)
        for field in form.fields.values():
            field.widget.attrs.pop("autofocus", None)
    return confirm


def _stale(request, e) -> str | None:
    """The Chinese message when the posted form was opened on an older version of `e`
    (issue 10, item 6: a stale form never silently reverts another user's change)."""
    from srdi.core import concurrency

    from .selectors import build_profile

    changes = concurrency.stale_changes(request.POST, build_profile(e))
    if changes is None:
        return None
    return concurrency.stale_message(changes, label=S.path_label)


def _version_stamp(e) -> str:
    from srdi.core import concurrency

    from .selectors import build_profile

    return concurrency.stamp(build_profile(e))


def _save(request, e, data: dict, form, field_names, clear=()) -> bool:
    from srdi.core import concurrency

    from . import services

    if stale := _stale(request, e):
        form.add_error(None, stale)
        return False
    try:
        result = services.update_enterprise(
            request.user,
            e,
            data,
            source="web",
            clear=clear,
            expected_version=concurrency.stamped_version(request.POST),
        )
    except concurrency.StaleEdit:
        form.add_error(None, _stale(request, e) or "未保存：该企业数据已被他人修改，请刷新后重试。")
        return False
    except ProfileErrors as exc:
        _apply_problems(form, exc.problems, field_names)
        return False
    changes = getattr(result, "changes", None)
    if changes == {}:
        messages.info(request, "没有修改任何内容。")
    else:
        cleared = [p for p in clear if p in changes]
        if cleared:
            messages.success(
                request,
                _("已保存；以下数值已改为“未知”：%(fields)s")
                % {"fields": "、".join(S.path_label(p) for p in cleared)},
            )
        else:
            messages.success(request, "已保存。")
    return True


@login_required
@require_http_methods(["GET", "POST"])
def edit_section(request, uscc, section):
    from .selectors import normalised_profile

    if section not in F.SECTIONS:
        raise Http404("没有这个栏目。")
    e = enterprise_for(request.user, uscc)
    label, paths = F.SECTIONS[section]
    fields = F.writable_paths(request.user, e, paths)
    if not fields:
        raise PermissionDenied(f"您无权修改该企业的“{label}”。")
    profile = normalised_profile(e)
    regions = F.region_names_for(request.user) if section == "basic" else None
    if regions is not None and profile.get("region") and profile["region"] not in regions:
        regions = [profile["region"], *regions]
    initial = {F.form_name(p): F.to_initial(f, _get(profile, p)) for p, f in fields}
    confirm = None
    if request.method == "POST":
        _refuse_hidden(request, request.user, e, paths)
        form = F.SectionForm(request.POST, schema_fields=fields, regions=regions, initial=initial)
        if stale := _stale(request, e):  # opened on an older version: show what changed
            form.is_valid()
            form.add_error(None, stale)
        elif form.is_valid():
            to_clear, ok = _emptied_known(form, fields, profile)
            confirm = _clear_confirmed(request, form, to_clear) if ok else None
            if ok and confirm is None:
                data = F.nest(form.exchange_values())
                names = {p: F.form_name(p) for p, _f in fields}
                if _save(request, e, data, form, names, clear=to_clear):
                    return redirect("registry:detail", uscc=e.uscc)
    else:
        form = F.SectionForm(schema_fields=fields, regions=regions, initial=initial)
    hidden = [S.field_by_path(p).header for p in paths if p not in dict(fields)]
    return render(
        request,
        "registry/edit_section.html",
        {
            "e": e,
            "form": form,
            "label": label,
            "hidden": hidden,
            "confirm_clear": confirm,
            "version_stamp": _version_stamp(e),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_recognition(request, uscc):
    from .selectors import normalised_profile

    e = enterprise_for(request.user, uscc)
    user = request.user
    writable = [k for k in F.ARRAY_SECTIONS if scopes.may_write(user, e, k)]
    scores_ok = scopes.may_write(user, e, "development_scores")
    if not writable and not scores_ok:
        raise PermissionDenied(f"您无权修改该企业的“{F.RECOGNITION_LABEL}”。")
    profile = normalised_profile(e)
    labels = {k: S.section(k).label for k in F.ARRAY_SECTIONS}
    if request.method == "POST":
        for k in F.ARRAY_SECTIONS:
            if f"{k}-TOTAL_FORMS" in request.POST and k not in writable:
                scopes.require_write(user, e, k)
        if "scores-TOTAL_FORMS" in request.POST and not scores_ok:
            scopes.require_write(user, e, "development_scores")
    data_arg = request.POST if request.method == "POST" else None
    formsets = {
        k: F.ARRAY_FORMSETS[k](
            data_arg,
            prefix=k,
            initial=F.array_initial(k, profile.get(k) or []),
        )
        for k in writable
    }
    scores_initial = [
        {"year": int(y), "score": v}
        for y, v in sorted((profile.get("development_scores") or {}).items())
    ]
    scores = (
        F.ScoreFormSet(data_arg, prefix="scores", initial=scores_initial) if scores_ok else None
    )
    errors: list[str] = []
    confirm = None
    if request.method == "POST":
        valid = all(fs.is_valid() for fs in formsets.values()) and (
            scores is None or scores.is_valid()
        )
        if valid:
            data: dict = {}
            to_clear: list[str] = []
            for k, fs in formsets.items():
                data[k] = [it for it in (form.item() for form in fs.forms) if it is not None]
            if scores is not None:
                new_scores = {}
                for form in scores.forms:
                    cd = form.cleaned_data
                    if cd.get("DELETE") or cd.get("year") is None or cd.get("score") is None:
                        continue
                    new_scores[str(cd["year"])] = cd["score"]
                # a score is a measurement: a removed one goes back to “unknown”, once confirmed
                removed = set(profile.get("development_scores") or {}) - set(new_scores)
                to_clear = [f"development_scores.{y}" for y in sorted(removed)]
                data["development_scores"] = new_scores
            confirm, message = _clear_confirmation(request, to_clear)
            stale = _stale(request, e)
            if stale:
                errors.append(stale)
            elif confirm is not None:
                errors.append(message)
            else:
                from srdi.core import concurrency

                from . import services

                try:
                    result = services.update_enterprise(
                        user,
                        e,
                        data,
                        source="web",
                        clear=to_clear,
                        expected_version=concurrency.stamped_version(request.POST),
                    )
                except concurrency.StaleEdit:
                    errors.append(_stale(request, e) or "未保存：该企业数据已被他人修改。")
                except ProfileErrors as exc:
                    errors = [p.format_zh() for p in exc.problems]
                else:
                    changes = getattr(result, "changes", None)
                    cleared = [p for p in to_clear if p in (changes or {})]
                    if changes == {}:
                        messages.info(request, "没有修改任何内容。")
                    elif cleared:
                        messages.success(
                            request,
                            _("已保存；以下数值已改为“未知”：%(fields)s")
                            % {"fields": "、".join(S.path_label(p) for p in cleared)},
                        )
                    else:
                        messages.success(request, "已保存。")
                    return redirect("registry:detail", uscc=e.uscc)
    read_only_titles = None
    if "titles" not in writable:
        today = timezone.localdate()
        read_only_titles = [
            {
                "tier": listing.TIER_LABELS.get(t.tier, t.tier),
                "level": dict(S.TITLE_LEVELS).get(t.level, t.level),
                "granted": t.granted,
                "valid_until": t.valid_until,
                "state": _title_state(t, today)[0],
            }
            for t in e.titles.all().order_by("-granted")
        ]
    return render(
        request,
        "registry/edit_recognition.html",
        {
            "e": e,
            "formsets": [(k, labels[k], fs) for k, fs in formsets.items()],
            "scores": scores,
            "errors": errors,
            "read_only_titles": read_only_titles,
            "label": F.RECOGNITION_LABEL,
            "confirm_clear": confirm,
            "version_stamp": _version_stamp(e),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_year(request, uscc, year=None):
    from .selectors import normalised_profile

    e = enterprise_for(request.user, uscc)
    if not _may_write_years(request.user, e):
        raise PermissionDenied("您无权修改该企业的年度数据。")
    if year is None:
        chooser = F.YearChoiceForm(request.GET or None)
        if chooser.is_valid():
            return redirect("registry:edit_year", uscc=e.uscc, year=chooser.cleaned_data["year"])
        return render(request, "registry/choose_year.html", {"e": e, "form": chooser})
    if not S.YEAR_MIN <= year <= dt.date.today().year + 1:
        raise Http404("年度超出范围。")
    paths = F.year_paths(year)
    fields = F.writable_paths(request.user, e, paths)
    profile = normalised_profile(e)
    initial = {F.form_name(p): F.to_initial(f, _get(profile, p)) for p, f in fields}
    confirm = None
    if request.method == "POST":
        _refuse_hidden(request, request.user, e, paths)
        form = F.SectionForm(request.POST, schema_fields=fields, initial=initial)
        if stale := _stale(request, e):  # opened on an older version: show what changed
            form.is_valid()
            form.add_error(None, stale)
        elif form.is_valid():
            to_clear, ok = _emptied_known(form, fields, profile)
            confirm = _clear_confirmed(request, form, to_clear) if ok else None
            if ok and confirm is None:
                values = {p: v for p, v in form.exchange_values().items() if v is not None}
                data = {"years": {str(year): {p.rsplit(".", 1)[1]: v for p, v in values.items()}}}
                names = {p: F.form_name(p) for p, _f in fields}
                if _save(request, e, data, form, names, clear=to_clear):
                    return redirect(reverse("registry:detail", args=[e.uscc]) + "#years")
    else:
        form = F.SectionForm(schema_fields=fields, initial=initial)
    hidden = [S.field_by_path(p).header for p in paths if p not in dict(fields)]
    return render(
        request,
        "registry/edit_section.html",
        {
            "e": e,
            "form": form,
            "label": f"{year} 年度数据",
            "hidden": hidden,
            "year": year,
            "confirm_clear": confirm,
            "version_stamp": _version_stamp(e),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create(request):
    if not scopes.may_create_enterprise(request.user):
        raise PermissionDenied("仅市工信局管理员和板块工作人员可以新增企业。")
    regions = F.region_names_for(request.user)
    initial = {"region": regions[0]} if len(regions) == 1 else {}
    form = F.CreateForm(request.POST or None, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        from . import services

        values = {p: v for p, v in form.exchange_values().items() if v is not None}
        try:
            e = services.create_enterprise(request.user, F.nest(values), source="web")
        except ProfileErrors as exc:
            _apply_problems(form, exc.problems, {p: F.form_name(p) for p, _f in form.schema_fields})
        else:
            messages.success(request, f"已新增企业：{e.name}")
            return redirect("registry:detail", uscc=e.uscc)
    return render(request, "registry/create.html", {"form": form})


def list_url(**params) -> str:
    return reverse("registry:list") + ("?" + urlencode(params) if params else "")
