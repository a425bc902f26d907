"""Issue 10, item 4: out of scope is 404 on every page, download and API operation.

Walks the URL configuration (pages, downloads and the API's routes alike) and, for the API, the
methods of each operation in the OpenAPI description. How a route is worked out, and where to
declare what the walk cannot guess, is in ``srdi.core.scopewalk`` (the one place to edit).
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import json
import re
import uuid
from dataclasses import dataclass

import pytest
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from srdi.core import access, scopewalk

pytestmark = pytest.mark.django_db

# who calls a route to see which objects it looks up; who must then get 404 out of scope
RECORDERS = ("admin", "department", "region_officer", "enterprise", "university")
PROBES = ("enterprise", "region_officer", "commissioner", "partner_unshared", "university")
_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_API_PREFIX = "api/"


@dataclass
class Route:
    pattern: str  # "enterprises/<str:uscc>/"
    name: str  # "registry:detail"
    params: list[tuple[str, str]]  # (name, converter)
    methods: tuple[str, ...] = ("GET", "POST")
    bodies: dict | None = None  # method → JSON body (API)

    def url(self, values: dict) -> str:
        def sub(m):
            return str(values[m.group("name")])

        return "/" + _PARAM.sub(sub, self.pattern)

    @property
    def label(self) -> str:
        return f"{self.name or '(unnamed)'} /{self.pattern}"


def _walk(patterns, prefix="", ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            sub_ns = ":".join(x for x in (ns, p.namespace) if x)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), sub_ns)
        elif isinstance(p, URLPattern):
            name = ":".join(x for x in (ns, p.name) if x) if p.name else ""
            yield prefix + str(p.pattern), name


def _exempt(route: Route) -> str | None:
    for key, reason in scopewalk.EXEMPT.items():
        if key.endswith("/") and route.pattern.startswith(key):
            return reason
        if key == route.name:
            return reason
    return None


def _example(schema: dict, defs: dict, depth=0):
    """The smallest value valid for a JSON schema (required properties only)."""
    if depth > 6:
        return None
    if "$ref" in schema:
        return _example(defs[schema["$ref"].rsplit("/", 1)[1]], defs, depth + 1)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _example(schema[key][0], defs, depth + 1)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    t = schema.get("type")
    if t == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: _example(props[k], defs, depth + 1) for k in schema.get("required", [])}
    if t == "array":
        return []
    if t == "integer":
        return max(1, schema.get("minimum", 1))
    if t == "number":
        return 1
    if t == "boolean":
        return False
    if schema.get("format") == "date":
        return "2024-01-01"
    return "扫描"


def routes() -> list[Route]:
    from srdi.api import api

    schema = api.get_openapi_schema()
    defs = schema.get("components", {}).get("schemas", {})
    api_ops: dict[str, tuple[tuple[str, ...], dict]] = {}
    for path, item in schema["paths"].items():
        key = re.sub(r"\{([^}]+)\}", r"<\1>", path.lstrip("/"))
        key = re.sub(r"<[^>]+>", "<>", key)
        methods, bodies = [], {}
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            methods.append(method.upper())
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                bodies[method.upper()] = _example(content["application/json"]["schema"], defs)
        types = {
            p["name"]: p.get("schema", {}).get("type", "string")
            for op in item.values()
            if isinstance(op, dict)
            for p in op.get("parameters", [])
            if p.get("in") == "path"
        }
        api_ops[key] = (tuple(methods), bodies, types)
    out, seen = [], set()
    for pattern, name in _walk(get_resolver().url_patterns):
        params = [(m.group("name"), m.group("conv") or "str") for m in _PARAM.finditer(pattern)]
        if not params or pattern.startswith("^") or "(?P<" in pattern or pattern in seen:
            continue
        seen.add(pattern)
        route = Route(pattern, name, params)
        if pattern.startswith(_API_PREFIX):
            methods, bodies, types = api_ops.get(
                re.sub(r"<[^>]+>", "<>", pattern), (("GET",), {}, {})
            )
            route.methods, route.bodies = methods, bodies
            route.params = [
                (p, "int" if types.get(p) == "integer" else conv) for p, conv in route.params
            ]
        out.append(route)
    return out


# ------------------------------------------------------------------------------ the world


class World:
    def __init__(self, users, enterprises, regions):
        from srdi.accounts.models import ApiToken, User
        from srdi.accounts.roles import Role

        self.users = users
        self.enterprise_a, self.enterprise_b = enterprises
        self.region_a, self.region_b = regions
        self.stranger = User.objects.create_user(
            username="walk-stranger",
            password="pw-Secret-123",
            role=Role.ENTERPRISE,
            enterprise=self.enterprise_b,
        )
        self._seq = itertools.count(1)
        self.users = dict(users)
        self.users["university"] = User.objects.create_user(
            username="walk-university",
            password="pw-Secret-123",
            role=Role.PARTNER,
            organization="扫描大学",
            partner_kind="university",
        )
        self.tokens = {role: ApiToken.issue(u, "walk")[1] for role, u in self.users.items()}

    def seq(self) -> int:
        return next(self._seq)

    def make(self, model, **fields):
        """An object of `model` out of scope: required fields filled, enterprise → B,
        region → B, user → a stranger, other relations made the same way."""
        from srdi.accounts.models import User
        from srdi.registry.models import Enterprise, Region

        n = self.seq()
        for f in model._meta.concrete_fields:
            if f.primary_key or f.name in fields:
                continue
            if isinstance(f, models.ForeignKey):
                rel = f.related_model
                if rel is Enterprise:
                    fields[f.name] = self.enterprise_b
                elif rel is Region:
                    fields[f.name] = self.region_b
                elif issubclass(rel, User):
                    fields[f.name] = self.stranger
                elif not f.null:
                    fields[f.name] = self.factory(rel)
                continue
            if f.has_default() or f.null or (f.blank and isinstance(f, models.CharField)):
                continue
            if f.choices:
                fields[f.name] = f.choices[0][0]
            elif isinstance(f, models.BooleanField):
                fields[f.name] = False
            elif isinstance(f, (models.IntegerField, models.FloatField)):
                fields[f.name] = 2024 if "year" in f.name else 1
            elif isinstance(f, models.DecimalField):
                fields[f.name] = decimal.Decimal(1)
            elif isinstance(f, models.DateTimeField):
                fields[f.name] = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            elif isinstance(f, models.DateField):
                fields[f.name] = dt.date(2026, 1, 1)
            elif isinstance(f, models.UUIDField):
                fields[f.name] = uuid.uuid4()
            elif isinstance(f, models.JSONField):
                fields[f.name] = {}
            elif isinstance(f, (models.CharField, models.TextField)):
                fields[f.name] = f"walk{n}"[: f.max_length or 40]
            elif isinstance(f, (models.FileField,)):
                fields[f.name] = f"walk/{n}.bin"
        return model._default_manager.create(**fields)

    def factory(self, model):
        make = scopewalk.FACTORIES.get(model._meta.label)
        return make(self) if make else self.make(model)


@pytest.fixture
def world(users, enterprises, regions):
    return World(users, enterprises, regions)


# ------------------------------------------------------------------------------ calling


def _call(client, route: Route, method: str, values: dict, token: str | None):
    url = route.url(values)
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if route.pattern.startswith(_API_PREFIX):
        body = (route.bodies or {}).get(method)
        return client.generic(
            method,
            url,
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            **extra,
        )
    return client.generic(method, url, **extra)


def _sentinel(i: int, conv: str):
    return 987650 + i if conv == "int" else f"WALK{i}PROBE"


def _fixed(route: Route, param: str):
    for key in (f"{route.name}:{param}", param):
        if key in scopewalk.VALUES:
            return scopewalk.VALUES[key]
    return None


class _Recorder:
    def __init__(self, monkeypatch):
        self.calls: list[tuple[type, dict]] = []
        original = access.get

        def spy(user, model_or_qs, *, write=False, **lookup):
            model = getattr(model_or_qs, "model", model_or_qs)
            self.calls.append((model, lookup))
            return original(user, model_or_qs, write=write, **lookup)

        monkeypatch.setattr(access, "get", spy)


def _resolve(route, world, client, recorder):
    """param → (model, field) of the objects the route names; raise with what to declare."""
    values, sentinels, named = {}, {}, {}
    for i, (p, conv) in enumerate(route.params):
        fixed = _fixed(route, p)
        if fixed is not None:
            values[p] = fixed
        else:
            values[p] = sentinels[p] = _sentinel(i, conv)
    for _round in range(len(sentinels) + 1):
        pending = {p: v for p, v in sentinels.items() if p not in named}
        if not pending:
            break
        progressed = False
        for method in route.methods:
            for who in RECORDERS:
                client.force_login(world.users[who])
                recorder.calls.clear()
                _call(client, route, method, values, world.tokens.get(who))
                for model, lookup in recorder.calls:
                    for key, val in lookup.items():
                        for p, s in pending.items():
                            if str(val).upper() == str(s).upper() and p not in named:
                                named[p] = (model, key.split("__")[0], method)
                                obj = world.factory(model)
                                values[p] = getattr(obj, named[p][1])
                                progressed = True
                if progressed:
                    break
            if progressed:
                break
        if not progressed:
            break
    missing = [p for p in sentinels if p not in named]
    if missing:
        raise AssertionError(
            f"{route.label}: parameter(s) {', '.join(missing)} never reached "
            "srdi.core.access.get(...). Look the object up with access.get(user, Model, pk=...) "
            "(404 out of scope, 403 read-only); or, in src/srdi/core/scopewalk.py, declare "
            + " / ".join(f"VALUES['{route.name}:{p}'] = <a valid value>" for p in missing)
            + f" if it names no object, or EXEMPT['{route.name}'] = '<why it is not scoped>'."
        )
    return values, named


def test_every_route_naming_an_object_answers_404_out_of_scope(world, client, monkeypatch):
    recorder = _Recorder(monkeypatch)
    failures, checked = [], 0
    for route in routes():
        if _exempt(route):
            continue
        try:
            values, named = _resolve(route, world, client, recorder)
        except AssertionError as exc:
            failures.append(str(exc))
            continue
        if not named:
            continue
        methods = {m for _model, _f, m in named.values()}
        probed = 0
        for who in PROBES:
            user = world.users[who]
            if any(
                access.visible(user, model).filter(**{f: values[p]}).exists()
                for p, (model, f, _m) in named.items()
            ):
                continue  # in this user's scope: nothing to hide from it
            probed += 1
            client.force_login(user)
            for method in methods:
                r = _call(client, route, method, values, world.tokens.get(who))
                checked += 1
                if r.status_code != 404:
                    failures.append(
                        f"{route.label} {method} as {who}: {r.status_code} (expected 404 — "
                        "out of scope must not reveal that the object exists)"
                    )
        models_named = {m._meta.label for m, _f, _m in named.values()}
        if not probed and not models_named <= set(scopewalk.PUBLIC):
            failures.append(
                f"{route.label}: the objects the walk made ({', '.join(sorted(models_named))}) are "
                "visible to every probing user; in src/srdi/core/scopewalk.py declare "
                + " / ".join(f"FACTORIES['{m}'] = <makes one out of scope>" for m in models_named)
                + " or PUBLIC['<model>'] = '<why every signed-in user may see it>'"
            )
    assert not failures, "\n".join(failures)
    assert checked >= 40


def test_the_walk_sees_the_api_and_the_pages():
    names = {r.pattern for r in routes()}
    assert "enterprises/<str:uscc>/" in names
    assert any(p.startswith("api/enterprises/") for p in names)
    api = [r for r in routes() if r.pattern == "api/enterprises/<uscc>"][0]
    assert set(api.methods) >= {"GET", "PATCH"}


def test_a_route_that_skips_access_get_is_reported(world, client, monkeypatch):
    recorder = _Recorder(monkeypatch)
    fake = Route("jobs/<int:pk>/nowhere", "core:nowhere", [("pk", "int")])
    with pytest.raises(AssertionError, match=r"scopewalk.py.*EXEMPT\['core:nowhere'\]"):
        _resolve(fake, world, client, recorder)
