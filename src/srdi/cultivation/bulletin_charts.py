"""The work bulletin's three charts — targets progress, tier counts by 板块, this month's
movements — from one set of data: ECharts on the web page, PNG (matplotlib Agg with the CJK
font, the diagnosis report's renderer: srdi.diagnosis.charts) in the PDF and the DOCX."""

from __future__ import annotations

from srdi.diagnosis.charts import COLORS, _figure, _png, _wrap

from .models import TIER_LABELS

LADDER = ("innovative_sme", "srdi_sme", "little_giant", "single_champion")
TIER_COLORS = ("#8ab4f8", "#0b57d0", "#b3261e", "#7b1fa2")
LABEL_CHARS = 16  # characters per line of a long label (never cut)


def chart_data(d: dict, by_region: dict, region_names: dict) -> dict:
    """Plain data of the three charts from the bulletin dict."""
    targets = [
        {"name": r["name"], "progress": float(r["progress_pct"])}
        for r in d["targets"]
        if r.get("progress_pct") is not None
    ]
    regions = sorted(
        ((region_names.get(rid) or "未填写板块", counts) for rid, counts in by_region.items()),
        key=lambda kv: -sum(kv[1].values()),
    )
    new = {t: 0 for t in LADDER}
    for t in d["new_titles"]:
        new[t["tier_key"]] = new.get(t["tier_key"], 0) + 1
    expiring = {t: 0 for t in LADDER}
    for t in d["expiring"]:
        expiring[t["tier_key"]] = expiring.get(t["tier_key"], 0) + 1
    return {
        "targets": targets,
        "tiers": [TIER_LABELS[t] for t in LADDER],
        "regions": [name for name, _c in regions],
        "region_counts": [[c.get(t, 0) for _n, c in regions] for t in LADDER],
        "movements": {
            "labels": [TIER_LABELS[t] for t in LADDER],
            "new": [new.get(t, 0) for t in LADDER],
            "expiring": [expiring.get(t, 0) for t in LADDER],
        },
    }


def _targets_png(rows: list[dict]) -> bytes:
    n = max(1, len(rows))
    height = 1.0 + 0.42 * n
    fig = _figure(6.6, height)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.40, right=0.95, top=1 - 0.2 / height, bottom=0.6 / height)
    y = list(range(len(rows)))
    vals = [min(r["progress"], 150.0) for r in rows]
    ax.barh(y, vals, color=[COLORS["pass"] if v >= 100 else COLORS["peer"] for v in vals])
    ax.axvline(100, color=COLORS["grey"], linestyle="--")
    ax.set_yticks(y)
    ax.set_yticklabels([_wrap(r["name"], LABEL_CHARS) for r in rows], fontsize=7)
    ax.invert_yaxis()
    for yi, r in enumerate(rows):
        ax.text(min(r["progress"], 150.0) + 1, yi, f"{r['progress']:.1f}%", va="center", fontsize=7)
    ax.set_xlim(0, 165)
    ax.set_xlabel("完成进度（%）")
    return _png(fig)


def _regions_png(c: dict) -> bytes:
    n = max(1, len(c["regions"]))
    fig = _figure(6.6, 3.4)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.32)
    x = list(range(n))
    bottom = [0] * n
    for label, counts, color in zip(c["tiers"], c["region_counts"], TIER_COLORS, strict=True):
        counts = counts or [0] * n
        ax.bar(x, counts, bottom=bottom, label=label, color=color)
        bottom = [b + v for b, v in zip(bottom, counts, strict=True)]
    ax.set_xticks(x)
    ax.set_xticklabels([_wrap(r, 4) for r in c["regions"]] or [""], fontsize=7)
    ax.set_ylabel("企业数（家）")
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, 1.14), frameon=False)
    return _png(fig)


def _movements_png(m: dict) -> bytes:
    fig = _figure(6.6, 2.6)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.08, right=0.98, top=0.86, bottom=0.22)
    x = list(range(len(m["labels"])))
    w = 0.38
    ax.bar([i - w / 2 for i in x], m["new"], w, label="本月新增称号", color=COLORS["pass"])
    ax.bar([i + w / 2 for i in x], m["expiring"], w, label="即将到期", color=COLORS["own"])
    for i in x:
        ax.text(i - w / 2, m["new"][i], str(m["new"][i]), ha="center", va="bottom", fontsize=7)
        ax.text(
            i + w / 2, m["expiring"][i], str(m["expiring"][i]), ha="center", va="bottom", fontsize=7
        )
    ax.set_xticks(x)
    ax.set_xticklabels([_wrap(lbl, 8) for lbl in m["labels"]], fontsize=7)
    ax.set_ylabel("称号数（项）")
    ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, 1.16), frameon=False)
    return _png(fig)


def render_png(c: dict) -> dict[str, bytes]:
    from srdi.diagnosis.charts import _FIGURES_LOCK

    out = {}
    with _FIGURES_LOCK:
        if c["targets"]:
            out["targets"] = _targets_png(c["targets"])
        if c["regions"]:
            out["regions"] = _regions_png(c)
        out["movements"] = _movements_png(c["movements"])
    return out


TITLES = {
    "targets": "图1  目标任务完成进度",
    "regions": "图2  各板块持有有效称号的企业数",
    "movements": "图3  本月称号变动",
}
