"""The plan's chain and cluster targets measured from the records.

* ``chains.coverage`` — 重点产业链配套全覆盖 (一(三)): share (%) of the key chains' nodes with at
  least one local SRDI enterprise confirmed there (data/coverage.yaml); items = the key chains,
  each with its nodes, covered nodes and gaps. A 板块's scope counts only its own enterprises.
* ``chains.clusters_provincial`` / ``chains.clusters_national`` — 中小企业特色产业集群
  recognised at 省级 / 国家级 by the year of the day asked (二(二): 10 and 2 by 2025);
  items = the clusters.
"""

from __future__ import annotations

from srdi.core import measures

from . import selectors


def _region(scope):
    if scope is None or getattr(scope, "is_city", True):
        return None
    return getattr(scope, "region_id", None)


@measures.register("chains.coverage", label="重点产业链配套覆盖率", unit="%")
def coverage(day, scope, params):
    ents = None
    if scope is not None and not getattr(scope, "is_city", True):
        ents = scope.enterprises()
    c = selectors.coverage(day, enterprises=ents)
    if not c["nodes"]:
        return measures.Measured(actual=None, items=[], note="尚未登记重点产业链环节")
    return measures.Measured(
        actual=c["coverage"],
        items=c["chains"],
        note=(
            f"重点产业链 {len(c['chains'])} 条、环节 {c['nodes']} 个，其中 {c['covered']} 个环节"
            f"有本地专精特新企业配套；全覆盖的产业链 {c['chains_full']} 条"
        ),
        extra={
            "nodes": c["nodes"],
            "covered": c["covered"],
            "chains_full": c["chains_full"],
            "chains": len(c["chains"]),
        },  # fmt: skip
    )


@measures.register("chains.clusters_provincial", label="省级中小企业特色产业集群", unit="个")
def clusters_provincial(day, scope, params):
    qs = selectors.cluster_counts(day, _region(scope))["provincial"].order_by("provincial_year")
    return measures.Measured(actual=qs.count(), items=list(qs),
                             note=f"截至{day.year}年获省级认定的中小企业特色产业集群")  # fmt: skip


@measures.register("chains.clusters_national", label="国家级中小企业特色产业集群", unit="个")
def clusters_national(day, scope, params):
    qs = selectors.cluster_counts(day, _region(scope))["national"].order_by("national_year")
    return measures.Measured(actual=qs.count(), items=list(qs),
                             note=f"截至{day.year}年获国家级认定的中小企业特色产业集群")  # fmt: skip
