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
PUBLIC: dict[str, str] = {}

# routes the walk skips, with the reason (route name, "namespace:name", or a path prefix)
EXEMPT: dict[str, str] = {
    "admin/": "Django admin: staff only (superusers), not a scoped door",
    "cultivation:target": "the plan's targets are public to every signed-in user (no scope)",
    "api/cultivation/targets/": "the plan's targets are public to every signed-in user (no scope)",
}
