"""Demo data contributed by the domains: ``srdi demo`` runs every registered step.

An app declares, in its ``demo.py`` (imported by its ``AppConfig.ready``)::

    from srdi.core import demo

    @demo.step("services", order=30)
    def services_demo(ctx: demo.Context) -> str:
        ...            # create commissioners, plans, requests … from ctx.rng, ctx.enterprises()
        return "服务专员 52 名，诉求 340 件"     # one line for the command's output

Steps run after the enterprises are generated, in ``order``, each in its own transaction, with
a random generator seeded from ``--seed`` and the step name (the same seed gives the same data).
A step must be safe to run again (``get_or_create`` on natural keys): ``srdi demo`` twice does
not duplicate anything. Everything it creates is synthetic and marked so where the model can.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Context:
    seed: int
    rng: random.Random
    today: object  # datetime.date the data is generated around

    def enterprises(self):
        from srdi.registry.models import Enterprise

        return Enterprise.objects.order_by("pk")


_STEPS: dict[str, tuple[int, Callable[[Context], str | None]]] = {}


def step(name: str, *, order: int = 100):
    def deco(fn):
        _STEPS[name] = (order, fn)
        return fn

    return deco


def steps() -> list[tuple[str, Callable]]:
    return [
        (name, fn) for name, (order, fn) in sorted(_STEPS.items(), key=lambda x: (x[1][0], x[0]))
    ]


def run_all(seed: int, today, write: Callable[[str], None] = print) -> None:
    from django.db import transaction

    for name, fn in steps():
        ctx = Context(seed=seed, rng=random.Random(f"{seed}:{name}"), today=today)
        with transaction.atomic():
            line = fn(ctx)
        if line:
            write(line)
