"""A chain as a graph (networkx): its nodes by segment, the flow 上游 → 中游 → 下游, and the
suppliers and leaders attached; gaps and what they cut off downstream.
"""

from __future__ import annotations

import networkx as nx

SEGMENT_ORDER = {"up": 0, "mid": 1, "down": 2}


def chain_graph(nodes, links=()) -> nx.DiGraph:
    """Chain nodes (objects with pk, segment, parent_id) as a DiGraph.

    Edges: a node's explicit parent → node; otherwise every node of a segment feeds every node
    of the next segment that has no explicit parent. `links` (supplier node → leader) adds
    ``("node", id) → ("leader", id)`` edges weighted by the number of links.
    """
    g = nx.DiGraph()
    by_seg: dict[int, list] = {}
    for n in nodes:
        g.add_node(("node", n.pk), kind="node", segment=n.segment)
        by_seg.setdefault(SEGMENT_ORDER[n.segment], []).append(n)
    for n in nodes:
        if n.parent_id:
            g.add_edge(("node", n.parent_id), ("node", n.pk))
            continue
        prev = SEGMENT_ORDER[n.segment] - 1
        while prev >= 0 and prev not in by_seg:
            prev -= 1
        for p in by_seg.get(prev, []):
            g.add_edge(("node", p.pk), ("node", n.pk))
    for node_id, leader_id in links:
        if node_id is None:
            continue
        key = ("leader", leader_id)
        if g.has_edge(("node", node_id), key):
            g[("node", node_id)][key]["weight"] += 1
        else:
            g.add_edge(("node", node_id), key, weight=1)
    return g


def downstream(g: nx.DiGraph, node_id: int) -> set[int]:
    """The chain nodes (ids) below `node_id`: what a gap there leaves without local supply."""
    return {k[1] for k in nx.descendants(g, ("node", node_id)) if k[0] == "node"}


def leaders_buying(g: nx.DiGraph, node_id: int) -> list[int]:
    return [k[1] for k in g.successors(("node", node_id)) if k[0] == "leader"]


def layout(nodes) -> dict[int, tuple[int, int]]:
    """Positions for the map: x by segment, y by order within the segment."""
    pos, seen = {}, {}
    for n in sorted(nodes, key=lambda n: (SEGMENT_ORDER[n.segment], n.sort_order, n.pk)):
        col = SEGMENT_ORDER[n.segment]
        row = seen.get(col, 0)
        seen[col] = row + 1
        pos[n.pk] = (col * 320, row * 110)
    return pos
