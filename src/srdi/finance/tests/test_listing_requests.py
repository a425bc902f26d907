"""Listing problems are filed into the service system: each problem is a request (诉求) routed to
the responsible department, the request's 办结 solves the problem, 转办 moves it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from srdi.accounts.roles import Department, Role
from srdi.core import access
from srdi.core.models import Notification
from srdi.finance import services
from srdi.finance.models import ListingCandidate, ListingProblem
from srdi.support import config
from srdi.support import services as support
from srdi.support.models import ServiceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(fin, make_user):
    """Enterprise B in the pool; departments 市场监管局 and 发改委 with one user each."""
    services.propose_candidates(
        fin["jrj"], [{"enterprise_id": fin["b"].pk, "score": 70, "detail": {}}]
    )
    return fin | {
        "c": ListingCandidate.objects.get(enterprise=fin["b"]),
        "scjgj": make_user("scjgj", Role.DEPARTMENT, department=Department.SCJGJ),
        "fgw": make_user("fgw", Role.DEPARTMENT, department=Department.FGW),
    }


def test_adding_a_problem_files_a_routed_request(listing, users):
    jrj, c = listing["jrj"], listing["c"]
    p = services.add_problem(jrj, c, {"kind": "licence", "description": "部分资质证照需补办"})
    r = p.request
    assert (r.enterprise, r.category, r.subkind, r.source, r.filed_by) == (
        listing["b"],
        "approval",
        "licence_reissue",
        "finance.listing",
        jrj,
    )
    # the department comes from the routing table, the same on the problem and the request
    assert r.department == config.route("approval", "licence_reissue")["department"]
    assert p.department == r.department == Department.SCJGJ
    assert r.state == ServiceRequest.State.PENDING and "部分资质证照需补办" in r.description
    # the department is told once, by the service system, with the request's address
    told = Notification.objects.filter(user=listing["scjgj"])
    assert [n.link for n in told] == [f"/support/requests/{r.pk}/"]
    # 金融监管局 follows the request although it is routed to 市场监管局; others do not see it
    assert access.get(jrj, ServiceRequest, pk=r.pk) == r
    assert access.get(listing["scjgj"], ServiceRequest, pk=r.pk) == r
    for who in (users["department"], users["commissioner"], listing["fgw"]):
        with pytest.raises(Http404):
            access.get(who, ServiceRequest, pk=r.pk)


def test_a_chosen_department_is_the_requests_department(listing):
    p = services.add_problem(
        listing["jrj"], listing["c"],
        {"kind": "other", "description": "募投项目用地协调", "department": Department.GXJ},
    )  # fmt: skip
    assert p.department == p.request.department == Department.GXJ
    assert (p.request.category, p.request.subkind) == ("finance", "listing")


def test_who_may_file_from_the_listing_reserve(listing, users):
    jrj, c = listing["jrj"], listing["c"]
    with pytest.raises(PermissionDenied):  # another department may not register problems
        services.add_problem(users["department"], c, {"kind": "tax", "description": "税费"})
    assert not ServiceRequest.objects.exists()
    # 金融监管局 files only for enterprises of its pool, and only as the listing source
    with pytest.raises(PermissionDenied):
        support.file_request(jrj, listing["a"], "finance", "上市咨询", source="finance.listing")
    with pytest.raises(PermissionDenied):
        support.file_request(jrj, listing["b"], "finance", "上市咨询", source="web")
    r = support.file_request(jrj, listing["b"], "finance", "上市咨询", source="finance.listing")
    assert r.department == Department.JRJ
    with pytest.raises(ValidationError):
        support.file_request(jrj, listing["b"], "finance", "上市咨询", source="finance.listing",
                             department="nowhere")  # fmt: skip


def test_closing_the_request_solves_the_problem_and_transfer_moves_it(listing):
    jrj, scjgj, fgw = listing["jrj"], listing["scjgj"], listing["fgw"]
    p = services.add_problem(jrj, listing["c"], {"kind": "ip", "description": "核心专利权属需确认"})
    assert p.department == Department.SCJGJ
    # sent back to the filer, 金融监管局 may resubmit it (it filed it)
    support.transition(scjgj, p.request, "send_back", "请补充专利号")
    assert "resubmit" in support.allowed_transitions(
        jrj, ServiceRequest.objects.get(pk=p.request_id)
    )
    support.transition(jrj, p.request, "resubmit", "已补充")
    support.transition(scjgj, p.request, "transfer", "属产权问题", department=Department.FGW)
    p.refresh_from_db()
    assert p.department == Department.FGW and p.status == ListingProblem.Status.OPEN
    # the problem cannot be solved beside its request
    with pytest.raises(ValidationError, match="请在诉求中办结"):
        services.solve_problem(jrj, p, "已解决")
    support.transition(fgw, p.request, "accept")
    p.refresh_from_db()
    assert p.status == ListingProblem.Status.OPEN
    r = support.transition(fgw, p.request, "close", "专利权属已确认，变更登记完成")
    p.refresh_from_db()
    assert p.status == ListingProblem.Status.SOLVED
    assert (p.resolution, p.solved_on) == ("专利权属已确认，变更登记完成", r.closed_on)
    from srdi.audit.models import AuditLog

    actions = set(AuditLog.objects.filter(object_id=str(p.pk)).values_list("action", flat=True))
    assert {"finance.listing.problem", "finance.listing.solve"} <= actions


def test_candidate_page_files_and_shows_the_request(listing, client):
    c, fgw = listing["c"], listing["fgw"]
    client.force_login(listing["jrj"])
    resp = client.post(
        f"/finance/listing/{c.pk}/",
        {"what": "problem", "kind": "approval", "description": "募投项目备案审批进度慢"},
        follow=True,
    )
    p = ListingProblem.objects.get()
    page = resp.content.decode()
    assert p.request.department == Department.FGW
    assert f"作为服务诉求转{p.get_department_display()}办理" in page
    assert f'href="/support/requests/{p.request_id}/">待受理</a>' in page
    assert client.get(f"/support/requests/{p.request_id}/").status_code == 200
    support.transition(fgw, p.request, "accept")
    support.transition(fgw, p.request, "close", "备案已完成")
    page = client.get(f"/finance/listing/{c.pk}/").content.decode()
    assert f'href="/support/requests/{p.request_id}/">已办结</a>' in page
    assert "备案已完成" in page and 'name="what" value="solve"' not in page
