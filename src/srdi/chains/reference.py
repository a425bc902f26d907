"""Load the reference data of chains/data/*.yaml into the database (idempotent).

``srdi chains load`` (also run by ``srdi demo``): systems and their items, the chains with their
nodes, and the known 特色产业集群. Rows already present keep what officials changed on screen
unless ``overwrite=True``; new rows are added.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from django.db import transaction

DATA = Path(__file__).resolve().parent / "data"


@cache
def data(name: str) -> dict:
    with open(DATA / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def foundations() -> dict[str, str]:
    """工业六基: code → name (the registry's reference file foundation_fields.yaml)."""
    from srdi import reference

    return {i["code"]: i["name"] for i in reference.load("foundation_fields")["items"]}


def foundation_label(code: str) -> str:
    return foundations().get(code, "") if code else ""


@transaction.atomic
def load(overwrite: bool = False) -> dict:
    from srdi.registry.models import ReferenceItem

    from .models import Chain, FeaturedCluster, Node

    counts = {"chains": 0, "nodes": 0, "clusters": 0}
    doc = data("chains")
    for i, ch in enumerate(doc["chains"]):
        defaults = {
            "name": ch["name"], "description": ch.get("description", ""),
            "status": ch.get("status", "unverified"),
            "source": ch.get("source", doc.get("source_default", "")), "sort_order": i,
            "key": ch.get("key", True),
        }  # fmt: skip
        chain, created = Chain.objects.get_or_create(code=ch["code"], defaults=defaults)
        counts["chains"] += created
        if overwrite and not created:
            Chain.objects.filter(pk=chain.pk).update(**defaults)
        for ref in ch.get("items") or []:
            item = ReferenceItem.objects.filter(
                scheme="industry_systems", parent__code=ref["system"], name=ref["name"]
            ).first()
            if item:
                chain.items.add(item)
        for j, n in enumerate(ch.get("nodes") or []):
            d = {
                "name": n["name"], "segment": n["segment"], "foundation": n.get("foundation", ""),
                "industry_codes": list(n.get("industry_codes") or []),
                "keywords": list(n.get("keywords") or []),
                "products": list(n.get("products") or []),
                "technologies": list(n.get("technologies") or []),
                "key_link": bool(n.get("key_link")), "sort_order": j,
            }  # fmt: skip
            node, c = Node.objects.get_or_create(chain=chain, code=n["code"], defaults=d)
            counts["nodes"] += c
            if overwrite and not c:
                Node.objects.filter(pk=node.pk).update(**d)
    for cl in data("clusters")["clusters"]:
        d = {
            "status": cl["status"], "year": cl.get("year"),
            "provincial_year": cl.get("provincial_year"), "national_year": cl.get("national_year"),
            "leading_product": cl.get("leading_product", ""), "lead_org": cl.get("lead_org", ""),
            "verification": cl.get("verification", "unverified"), "source": cl.get("source", ""),
            "chain": Chain.objects.filter(code=cl.get("chain") or "").first(),
        }  # fmt: skip
        _obj, c = FeaturedCluster.objects.get_or_create(name=cl["name"], defaults=d)
        counts["clusters"] += c
    return counts
