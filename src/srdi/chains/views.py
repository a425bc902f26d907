"""Pages of chains (thin: lookups through srdi.core.access, writes through services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from srdi.core import access, xlsx
from srdi.core import formatting as fmt
from srdi.registry.models import Enterprise, ReferenceItem

from . import forms, scopes, selectors, services, xlsx_io
from .models import (
    Chain,
    FeaturedCluster,
    GapLead,
    Leader,
    Node,
    Placement,
    Proposal,
    SupplierNeed,
)


def _errors(exc: ValidationError) -> str:
    return "；".join(str(m) for m in exc.messages)


def _page(request, qs, size=30):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _enterprise(user, uscc: str, write=False) -> Enterprise:
    return access.get(user, Enterprise, uscc=(uscc or "").strip().upper())


# ------------------------------------------------------------------ overview
@login_required
def index(request):
    c = selectors.coverage()
    systems = (
        ReferenceItem.objects.filter(scheme="industry_systems", parent__isnull=True)
        .prefetch_related("children")
        .order_by("sort_order", "pk")
    )
    counts = selectors.cluster_counts()
    if request.GET.get("format") == "xlsx":
        rows = [[r["name"], r["nodes"], r["covered"], fmt.pct(r["coverage_pct"]),
                 "、".join(r["gaps"])] for r in c["chains"]]  # fmt: skip
        content = xlsx.workbook([xlsx.Sheet(_("重点产业链配套覆盖"), [_("产业链"), _("环节数"),
                                 _("已覆盖环节"), _("覆盖率"), _("断点环节")], rows)])  # fmt: skip
        return xlsx.response(content, "重点产业链配套覆盖.xlsx")
    return render(request, "chains/index.html", {
        "c": c, "systems": systems, "history": selectors.coverage_history(),
        "provincial": counts["provincial"].count(), "national": counts["national"].count(),
        "is_editor": scopes.is_editor(request.user),
        "is_official": scopes.is_official(request.user),
        "is_enterprise": scopes.is_enterprise(request.user),
    })  # fmt: skip


@login_required
def chain_detail(request, pk):
    chain = access.get(request.user, Chain, pk=pk)
    m = selectors.chain_map(chain)
    return render(request, "chains/chain.html", {
        "chain": chain, "m": m, "option": selectors.echarts_option(m),
        "systems": chain.items.select_related("parent"),
        "leaders": scopes.visible_leaders(request.user, chain.leaders.select_related("enterprise")),
        "is_editor": scopes.is_editor(request.user),
        "clusters": chain.clusters.all(),
    })  # fmt: skip


@login_required
def chain_edit(request, pk=None):
    chain = access.get(request.user, Chain, write=True, pk=pk) if pk else None
    services.require_editor(request.user)
    initial = (
        {f: getattr(chain, f) for f in services.CHAIN_FIELDS}
        if chain
        else {"key": True, "active": True, "status": "unverified"}
    )  # noqa: E501
    form = forms.ChainForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            chain = services.save_chain(request.user, form.cleaned_data, chain)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("chains:chain", chain.pk)
    return render(
        request,
        "chains/form.html",
        {"form": form, "title": chain.name if chain else _("新建产业链")},
    )


@login_required
def node_edit(request, chain_pk=None, pk=None):
    node = access.get(request.user, Node, write=True, pk=pk) if pk else None
    chain = node.chain if node else access.get(request.user, Chain, write=True, pk=chain_pk)
    initial = {}
    if node:
        initial = {f: getattr(node, f) for f in services.NODE_FIELDS}
        for f in ("products", "technologies", "keywords", "industry_codes"):
            initial[f] = "、".join(initial[f])
    form = forms.NodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("delete") and node:
        services.delete_node(request.user, node)
        messages.success(request, _("已删除环节。"))
        return redirect("chains:chain", chain.pk)
    if request.method == "POST" and form.is_valid():
        try:
            node = services.save_node(request.user, chain, form.cleaned_data, node)
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("chains:node", node.pk)
    return render(request, "chains/form.html", {
        "form": form, "title": f"{chain.name} · " + (node.name if node else _("新增环节")),
        "deletable": node is not None,
    })  # fmt: skip


# ------------------------------------------------------------------ nodes
def _with_may_decide(user, candidates):
    """Mark the candidates whose place the user may confirm (no button that answers 403)."""
    for c in candidates:
        e = c["enterprise"] if isinstance(c, dict) else c.enterprise
        ok = scopes.may_place(user, e)
        if isinstance(c, dict):
            c["may_decide"] = ok
        else:
            c.may_decide = ok
    return candidates


@login_required
def node_detail(request, pk):
    user = request.user
    node = access.get(user, Node.objects.select_related("chain"), pk=pk)
    m = selectors.chain_map(node.chain)
    row = next(r for r in m["rows"] if r["id"] == node.pk)
    from .reference import foundation_label

    ctx = {
        "node": node, "row": row, "foundation": foundation_label(node.foundation),
        "enterprises": selectors.node_enterprises(user, node),
        "leaders": selectors.leaders_at(user, node),
        "candidates": _with_may_decide(user, selectors.candidates(user, node))
        if scopes.is_official(user)
        else [],
        "leads": scopes.visible_leads(user, node.leads.all()),
        "is_editor": scopes.is_editor(user), "is_official": scopes.is_official(user),
        "may_lead": scopes.is_official(user) and user.role != "commissioner",
        "is_enterprise": scopes.is_enterprise(user),
        "lead_form": forms.LeadForm(initial={"title": f"{node.name}补链"}),
        "place_form": forms.PlaceForm(), "niche_form": forms.NicheForm(),
        "niche": scopes.visible_niche(user, node.niche_products.select_related("enterprise")),
    }  # fmt: skip
    return render(request, "chains/node.html", ctx)


@login_required
@require_POST
def node_place(request, pk):
    node = access.get(request.user, Node, pk=pk)
    ent = _enterprise(request.user, request.POST.get("uscc", ""))
    try:
        services.place(request.user, ent, node, request.POST.get("products", ""))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已确认 %(e)s 位于该环节。") % {"e": ent.name})
    return redirect("chains:node", node.pk)


@login_required
@require_POST
def node_lead(request, pk):
    node = access.get(request.user, Node, pk=pk)
    try:
        lead = services.start_lead(request.user, node, request.POST.get("kind", ""),
                                   request.POST.get("title", ""), request.POST.get("note", ""))  # fmt: skip
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("chains:node", node.pk)
    messages.success(request, _("已创建：%(t)s") % {"t": lead.title})
    if lead.kind == GapLead.Kind.CHALLENGE:
        from django.apps import apps

        if apps.is_installed("srdi.innovation") and scopes.is_editor(request.user):
            messages.info(request, _("可在“揭榜挂帅”中据此发布榜单。"))
    return redirect("chains:leads")


@login_required
@require_POST
def node_niche(request, pk):
    node = access.get(request.user, Node, pk=pk)
    ent = _enterprise(request.user, request.POST.get("uscc", ""))
    try:
        services.save_niche(request.user, ent, node, request.POST.dict())
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已加入市级培育库。"))
    return redirect("chains:node", node.pk)


# ------------------------------------------------------------------ placements
@login_required
def placements(request):
    user = request.user
    if not scopes.is_official(user):
        raise PermissionDenied(_("仅政府部门工作人员可以审核企业产业链位置。"))
    status = request.GET.get("status") or Placement.Status.PROPOSED
    chain = request.GET.get("chain", "")
    qs = (
        scopes.visible_placements(user)
        .filter(status=status)
        .select_related("enterprise__region", "node__chain")
    )
    if chain.isdigit():
        qs = qs.filter(node__chain_id=int(chain))
    return render(request, "chains/placements.html", {
        "page": _page(request, qs.order_by("node__chain__sort_order", "node__sort_order", "-score")),
        "status": status, "statuses": Placement.Status.choices, "chain": chain,
        "chains": Chain.objects.all(),
        "counts": [(lbl, scopes.visible_placements(user).filter(status=s).count())
                   for s, lbl in Placement.Status.choices],
    })  # fmt: skip


@login_required
@require_POST
def placement_decide(request, pk):
    p = access.get(
        request.user, Placement.objects.select_related("enterprise", "node"), write=True, pk=pk
    )
    node = None
    if request.POST.get("node"):
        node = access.get(request.user, Node, pk=request.POST["node"])
    try:
        services.decide(request.user, p, request.POST.get("confirm") == "1", node=node,
                        products=request.POST.get("products", ""), note=request.POST.get("note", ""))  # fmt: skip
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("已处理：%(e)s").replace("%(e)s", p.enterprise.name))
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return redirect(nxt)
    return redirect("chains:placements")


@login_required
def mine(request):
    """An enterprise's own links: places on chains, supply links, proposals; propose a correction."""
    user = request.user
    if not scopes.is_enterprise(user):
        raise Http404(_("该页面仅供企业用户使用。"))
    ent = user.enterprise
    form = forms.ProposeForm(request.POST or None)
    nodes = Node.objects.select_related("chain").order_by("chain__sort_order", "sort_order")
    form.fields["node"].widget.choices = [(n.pk, str(n)) for n in nodes]
    if request.method == "POST" and form.is_valid():
        node = access.get(user, Node, pk=form.cleaned_data["node"])
        try:
            services.propose(
                user, ent, node, form.cleaned_data["products"], form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已提交，待板块或市工信局确认。"))
            return redirect("chains:mine")
    return render(request, "chains/mine.html", {
        "ent": ent, "form": form,
        "places": ent.chain_placements.exclude(status=Placement.Status.SUGGESTED).select_related("node__chain"),
        "suggested": ent.chain_placements.filter(status=Placement.Status.SUGGESTED).select_related("node__chain"),
        "links": scopes.visible_links(user).select_related("leader__enterprise", "node", "supplier"),
        "proposals": scopes.visible_proposals(user).select_related("need__leader__enterprise"),
        "leaderships": ent.chain_leaderships.select_related("chain"),
    })  # fmt: skip


# ------------------------------------------------------------------ leaders, links, needs
@login_required
def leaders(request):
    user = request.user
    qs = selectors.leaders_for(user).order_by("chain__sort_order", "enterprise__name")
    return render(request, "chains/leaders.html", {
        "leaders": qs, "is_editor": scopes.is_editor(user), "chains": Chain.objects.all(),
        "needs": scopes.visible_needs(user).select_related("leader__enterprise", "node")[:50],
    })  # fmt: skip


@login_required
@require_POST
def leader_new(request):
    chain = access.get(request.user, Chain, pk=request.POST.get("chain") or 0)
    ent = _enterprise(request.user, request.POST.get("uscc", ""))
    try:
        leader = services.save_leader(request.user, ent, chain, request.POST.get("since") or None)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("chains:leaders")
    return redirect("chains:leader", leader.pk)


@login_required
def leader_detail(request, pk):
    user = request.user
    leader = access.get(user, Leader.objects.select_related("enterprise", "chain"), pk=pk)
    node_choices = [("", "—"), *leader.chain.nodes.values_list("pk", "name")]
    link_form = forms.LinkForm(request.POST if request.POST.get("form") == "link" else None)
    need_form = forms.NeedForm(request.POST if request.POST.get("form") == "need" else None)
    link_form.fields["node"].choices = need_form.fields["node"].choices = node_choices
    if request.method == "POST":
        form = link_form if request.POST.get("form") == "link" else need_form
        if form.is_valid():
            try:
                if form is link_form:
                    services.save_link(user, leader, form.cleaned_data)
                    messages.success(request, _("已登记配套关系。"))
                    return redirect("chains:leader", leader.pk)
                need = services.post_need(user, leader, form.cleaned_data)
                messages.success(
                    request,
                    _("已发布配套需求，平台推荐了 %(n)s 家本地企业。")
                    % {"n": need.proposals.count()},
                )
                return redirect("chains:need", need.pk)
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
    links = scopes.visible_links(user, leader.links.select_related("supplier", "node"))
    local = sum(1 for x in links if x.local)
    return render(request, "chains/leader.html", {
        "leader": leader, "links": links, "local": local, "outside": len(links) - local,
        "needs": scopes.visible_needs(user, leader.needs.all()),
        "link_form": link_form, "need_form": need_form,
        "may_post": scopes.may_post_for(user, leader),
    })  # fmt: skip


@login_required
def need_detail(request, pk):
    user = request.user
    need = access.get(
        user, SupplierNeed.objects.select_related("leader__enterprise", "node"), pk=pk
    )
    proposals = scopes.visible_proposals(user, need.proposals.select_related("enterprise__region"))
    rows = [(p, [(e, services.TRANSITION_LABELS[e]) for e in services.allowed_transitions(user, p)],
             p.events.select_related("actor")) for p in proposals]  # fmt: skip
    return render(request, "chains/need.html", {"need": need, "rows": rows})


@login_required
@require_POST
def proposal_transition(request, pk):
    p = access.get(request.user, Proposal.objects.select_related("need__leader"), write=True, pk=pk)
    try:
        services.transition(
            request.user, p, request.POST.get("event", ""), request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("进展已更新。"))
    return redirect("chains:need", p.need_id)


@login_required
def leads(request):
    if not scopes.is_official(request.user):
        raise PermissionDenied(_("仅政府部门工作人员可以查看补链线索。"))
    qs = scopes.visible_leads(request.user).select_related("node__chain", "created_by")
    return render(request, "chains/leads.html", {"page": _page(request, qs)})


# ------------------------------------------------------------------ clusters
@login_required
def clusters(request):
    qs = FeaturedCluster.objects.select_related("region", "chain").order_by("name")
    counts = selectors.cluster_counts()
    return render(request, "chains/clusters.html", {
        "clusters": qs, "provincial": counts["provincial"].count(),
        "national": counts["national"].count(), "is_editor": scopes.is_editor(request.user),
    })  # fmt: skip


@login_required
def cluster_detail(request, pk):
    cl = access.get(request.user, FeaturedCluster.objects.select_related("region", "chain"), pk=pk)
    return render(request, "chains/cluster.html", {
        "cl": cl, "s": selectors.cluster_stats(cl, request.user),
        "is_editor": scopes.is_editor(request.user),
    })  # fmt: skip


@login_required
def cluster_edit(request, pk=None):
    user = request.user
    cl = access.get(user, FeaturedCluster, write=True, pk=pk) if pk else None
    services.require_editor(user)
    initial = {}
    if cl:
        initial = {f: getattr(cl, f) for f in services.CLUSTER_FIELDS}
        initial.update(region=cl.region_id or "", chain=cl.chain_id or "",
                       members="\n".join(cl.members.values_list("uscc", flat=True)))  # fmt: skip
    form = forms.ClusterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        import re

        try:
            cl = services.save_cluster(user, form.cleaned_data, cl)
            services.set_members(user, cl, re.split(r"[\s,，、]+", form.cleaned_data["members"]))
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("chains:cluster", cl.pk)
    return render(
        request,
        "chains/form.html",
        {"form": form, "title": cl.name if cl else _("登记特色产业集群")},
    )


@login_required
def cluster_docx(request, pk):
    cl = access.get(request.user, FeaturedCluster, pk=pk)
    if not scopes.is_official(request.user):
        raise PermissionDenied(_("仅政府部门工作人员可以导出申报材料。"))
    from .docs import cluster_fact_sheet

    content = cluster_fact_sheet(cl, request.user)
    resp = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    from urllib.parse import quote

    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(cl.name + '情况表.docx')}"
    return resp


# ------------------------------------------------------------------ niche-product pool
@login_required
def niche(request):
    user = request.user
    if not scopes.is_official(user):
        raise PermissionDenied(_("仅政府部门工作人员可以查看市级培育库。"))
    qs = scopes.visible_niche(user).select_related("enterprise", "node__chain")
    if request.GET.get("format") == "xlsx":
        rows = [[n.enterprise.name, n.enterprise.uscc, n.product, n.node.chain.name, n.node.name,
                 fmt.number(n.market_share_pct), n.why_key, n.get_status_display()] for n in qs]  # fmt: skip
        return xlsx.response(xlsx.workbook([xlsx.Sheet(_("市级培育库"), [_("企业"), _("统一社会信用代码"),
                             _("产品"), _("产业链"), _("环节"), _("细分市场占有率（%）"), _("关键性说明"),
                             _("状态")], rows)]), "市级关键环节产品培育库.xlsx")  # fmt: skip
    return render(request, "chains/niche.html", {
        "items": qs, "candidates": selectors.niche_candidates(user)[:60],
        "is_editor": scopes.is_editor(user),
    })  # fmt: skip


# ------------------------------------------------------------------ import / export
@login_required
def io_page(request):
    user = request.user
    fmt_ = request.GET.get("download")
    if fmt_ == "template":
        return xlsx.response(xlsx_io.template(), "产业链环节导入模板.xlsx")
    if fmt_ == "export":
        chains = access.visible(user, Chain).prefetch_related("nodes")
        return xlsx.response(xlsx_io.export(chains), "产业链环节.xlsx")
    services.require_editor(user)
    result = problems = None
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            problems = [_("请选择要上传的 Excel 文件。")]
        elif f.size > 5 * 1024 * 1024:
            problems = [_("文件超过 5 MB，请拆分后上传。")]
        else:
            try:
                result = xlsx_io.import_xlsx(user, f.read())
            except ValidationError as exc:
                problems = exc.messages
    return render(request, "chains/io.html", {"result": result, "problems": problems,
                                              "today": timezone.localdate()})  # fmt: skip
