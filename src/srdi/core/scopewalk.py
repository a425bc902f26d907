"""Declarations for the scope walk (``src/srdi/core/tests/test_scope_walk.py``).

The walk visits every route of the URL configuration and every operation of the OpenAPI
description that has a path parameter, and checks that an object *out of the user's scope* answers
**404** (never 403, never 200, never 500). It works out most routes by itself:

1. it calls the route once as a user who may see everything, with a distinct made-up value in each
   parameter, and watches ``srdi.core.access.get(...)``: the lookup that receives the value tells
   which model (and field) the parameter names;
2. it makes an object of that model *out of scope* (belonging to enterprise B in 板块 B, owned by
   another user) — with :data:`FACTORIES` when a model needs one, else generically (required
   fields filled, enterprises → B, users → a stranger);
3. it calls the route as enterprise A's user and as 板块 A's officer and expects 404.

So a new route that looks its objects up with ``access.get`` is covered without any declaration.
Only when the walk cannot work a route out does it fail and say what to add **here** — the one
place the coordinator edits at merge time:

- :data:`VALUES`: a parameter that does not name an object (``fmt``, ``year``, ``section`` …) and the
  value to call it with (by parameter name; ``"route name:param"`` for one route only);
- :data:`FACTORIES`: how to make an out-of-scope object of a model the generic maker cannot make
  (``"app_label.ModelName": callable(world) -> object``; ``world`` has ``enterprise_b``,
  ``region_b``, ``stranger``, ``make(model, **fields)``);
- :data:`PUBLIC`: a model every signed-in user may see, with the reason;
- :data:`EXEMPT`: a route whose parameter names nothing that is scoped, with the reason (by route
  name, ``"namespace:name"``, or a path prefix ending in ``/``).
"""

from __future__ import annotations

# parameter → the value the walk calls the route with (parameters that name no object)
VALUES: dict[str, object] = {
    "fmt": "pdf",
    "year": 2024,
    "section": "basic",
    "tier": "srdi_sme",
    "policies:application_download:fmt": "xlsx",
    "cultivation:alert_handle:action": "close",
    "support:request_file:att": 1,  # an attachment of the request named by pk
    "support:visit_file:file_pk": 1,  # a file of the visit named by pk
    "innovation:ip_request:kind": "patent_navigation",  # an IP service, not an object
}

# "app_label.ModelName" → callable(world) returning an object out of scope of enterprise A's user
# and 板块 A's officer (used instead of the generic maker)
FACTORIES: dict[str, object] = {}


def _draft_policy(world):
    from srdi.policies.models import Policy

    return Policy.objects.create(
        key=f"walk-{world.seq()}", title="扫描用草稿政策", category="funding", status="draft"
    )


FACTORIES["policies.Policy"] = _draft_policy

# "app_label.ModelName" → why every signed-in user may see every object of it (nothing to hide)
PUBLIC: dict[str, str] = {
    "chains.Chain": "the chain map is public to every signed-in user (issue 14); enterprises on it "
    "are filtered by scope",
    "chains.Node": "nodes of the public chain map (issue 14); enterprises on it are filtered by scope",
    "chains.FeaturedCluster": "clusters and their recognition are public (issue 14)",
    "recognition.Platform": "recognised service and innovation platforms are public lists (issue 16)",
    "finance.Product": "banks publish their products to every signed-in user for matching (issue 15)",
}

# routes the walk skips, with the reason (route name, "namespace:name", or a path prefix)
EXEMPT: dict[str, str] = {
    "admin/": "Django admin: staff only (superusers), not a scoped door",
    "cultivation:target": "the plan's targets are public to every signed-in user (no scope)",
    "api/cultivation/targets/": "the plan's targets are public to every signed-in user (no scope)",
    "cultivation:final": "a plan's final assessment is the city's (no enterprise in the key); "
    "officials only, by role",
    "api:place": "the node is public; the enterprise is a required query parameter looked up with "
    "access.get (chains tests cross that line)",
    "api:propose": "the node is public; the enterprise is a required query parameter looked up "
    "with access.get (chains tests cross that line)",
}


def _service_plan(world):
    """一企一策: one plan per enterprise (enterprise B's, made once)."""
    from srdi.support.models import ServicePlan

    return ServicePlan.objects.get_or_create(enterprise=world.enterprise_b)[0]


FACTORIES["support.ServicePlan"] = _service_plan


def _commissioner_profile(world):
    """A commissioner's profile (one per user): a new commissioner serving 板块 B."""
    from srdi.accounts.models import User
    from srdi.accounts.roles import Role
    from srdi.support.models import CommissionerProfile

    n = world.seq()
    user = User.objects.create_user(f"walkzy{n}", password=None, role=Role.COMMISSIONER)
    return CommissionerProfile.objects.create(user=user, region=world.region_b)


FACTORIES["support.CommissionerProfile"] = _commissioner_profile
