"""Test data: exchange-format profiles stored in the registry.

Uses the registry's own import service when it exists (``srdi.registry.services``), else
writes the rows through the registry's column mapping (srdi.registry.profiles).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from srdi.core.testing import examples_dir

EXAMPLES = examples_dir() / "profiles.json"
LOCAL_EXAMPLES = Path(__file__).with_name("profiles.json")


def example_profiles() -> list[dict]:
    path = EXAMPLES if EXAMPLES.exists() else LOCAL_EXAMPLES
    return json.loads(path.read_text(encoding="utf-8"))


def store_profiles(profiles: list[dict]) -> list:
    """Store profiles (exchange format) and return the Enterprise rows, in order."""
    from srdi.exchange.validate import validate_records
    from srdi.registry.models import (
        AnnualFigures,
        Award,
        DevelopmentScore,
        Enterprise,
        Honor,
        MakerChinaResult,
        Region,
        Title,
    )
    from srdi.registry.profiles import enterprise_values

    profiles = copy.deepcopy(profiles)
    for p in profiles:
        if p.get("region"):
            Region.objects.get_or_create(name=p["region"], defaults={"kind": "town"})
    region_ids = dict(Region.objects.values_list("name", "id"))
    normalised, problems = validate_records(profiles, regions=list(region_ids))
    assert not problems, [pr.format_zh() for pr in problems]
    out = []
    for p in normalised:
        values = enterprise_values(p, region_ids)
        e = Enterprise.objects.create(**values)
        for year, row in (p.get("years") or {}).items():
            AnnualFigures.objects.create(enterprise=e, year=int(year), **row)
        for a in p.get("awards") or []:
            Award.objects.create(enterprise=e, **a)
        for m in p.get("maker_china") or []:
            MakerChinaResult.objects.create(enterprise=e, **m)
        for h in p.get("honors") or []:
            Honor.objects.create(enterprise=e, **h)
        for t in p.get("titles") or []:
            Title.objects.create(enterprise=e, **t)
        for year, score in (p.get("development_scores") or {}).items():
            DevelopmentScore.objects.create(enterprise=e, year=int(year), score=score)
        out.append(e)
    return out
