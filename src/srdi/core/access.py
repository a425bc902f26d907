"""One lookup-and-scope helper for every page, download and API operation.

    from srdi.core import access

    obj = access.get(user, Application, pk=pk)              # read:  404 unknown or out of scope
    obj = access.get(user, Application, write=True, pk=pk)  # write: 404 out of scope, 403 read-only
    qs = access.visible(user, Application)                  # lists: only what the user may see
    access.require_write(user, obj)                          # 403 when the user may only read

Out of scope is **404** (existence is never revealed); readable but not writable is **403**.
The web pages render both as the platform's Chinese error pages; the API answers JSON
``{"detail": "…"}`` with the same status (handlers in ``srdi.api``).

Every model that a user can name in a URL registers its scope once, in its app's
``scopes.py`` (imported by the app's ``AppConfig.ready``)::

    access.register(
        Application,
        visible=lambda user, qs: qs.filter(enterprise__in=visible_enterprises(user)),
        writable=lambda user, obj: ...,   # optional; default: nobody writes through access
        name="申报",                       # optional; default: the model's verbose_name
    )

``tests/test_scope_walk.py`` walks the URL configuration and the OpenAPI operations: a route
that names an object must be covered by a scope test, so a new route without one fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404


@dataclass(frozen=True)
class ScopeRule:
    visible: Callable[[Any, QuerySet], QuerySet]
    writable: Callable[[Any, Model], bool] | None
    name: str | None


_RULES: dict[type[Model], ScopeRule] = {}


def register(
    model: type[Model],
    *,
    visible: Callable[[Any, QuerySet], QuerySet],
    writable: Callable[[Any, Model], bool] | None = None,
    name: str | None = None,
) -> None:
    """Declare who may see (a queryset filter) and who may change (a predicate) `model`."""
    _RULES[model] = ScopeRule(visible=visible, writable=writable, name=name)


def rule_for(model: type[Model]) -> ScopeRule:
    for klass in model.__mro__:
        if klass in _RULES:
            return _RULES[klass]
    raise LookupError(f"{model.__name__} has no registered scope (srdi.core.access.register)")


def registered_models() -> list[type[Model]]:
    return list(_RULES)


def label(model: type[Model]) -> str:
    rule = _RULES.get(model)
    return str(rule.name if rule and rule.name else model._meta.verbose_name)


def not_found_message(model: type[Model]) -> str:
    return f"未找到该{label(model)}，或您无权查看。"


def forbidden_message(model: type[Model]) -> str:
    return f"您可以查看该{label(model)}，但无权修改。"


def visible(user, model_or_qs: type[Model] | QuerySet) -> QuerySet:
    """Only the rows of `model_or_qs` that `user` may see (none for anonymous users)."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    if user is None or not getattr(user, "is_authenticated", False):
        return qs.none()
    return rule_for(qs.model).visible(user, qs)


def may_write(user, obj: Model) -> bool:
    rule = rule_for(type(obj))
    return bool(
        rule.writable and getattr(user, "is_authenticated", False) and rule.writable(user, obj)
    )


def require_write(user, obj: Model) -> None:
    if not may_write(user, obj):
        raise PermissionDenied(forbidden_message(type(obj)))


def get(user, model_or_qs: type[Model] | QuerySet, *, write: bool = False, **lookup) -> Model:
    """The object `lookup` names if `user` may see it (else Http404); with ``write=True`` also
    PermissionDenied (403) when `user` may see but not change it."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    try:
        obj = visible(user, qs).filter(**lookup).first()
    except (ValueError, TypeError) as exc:  # a malformed id in the URL names nothing
        raise Http404(not_found_message(qs.model)) from exc
    if obj is None:
        raise Http404(not_found_message(qs.model))
    if write:
        require_write(user, obj)
    return obj
