"""Bounded API parameters (issue 10, item 9: never a 500 on bad input).

Use these in django-ninja signatures instead of bare ``int``/``date``: the bounds go into the
OpenAPI description and out-of-range values are answered 422 by ninja before the handler runs
(negative offsets, 10^24 limits, year -1638 …)::

    from srdi.core.apiparams import Limit, Offset, Year

    def list_things(request, limit: Limit = 100, offset: Offset = 0, year: Year | None = None): ...
"""

from __future__ import annotations

from typing import Annotated

from ninja import Query

MAX_OFFSET = 1_000_000_000

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="跳过的条数（≥ 0）")]
Limit = Annotated[int, Query(ge=1, le=1000, description="返回的条数（1–1000）")]
Year = Annotated[int, Query(ge=1900, le=2100, description="年度（1900–2100）")]
Page = Annotated[int, Query(ge=1, le=MAX_OFFSET, description="页码（≥ 1）")]
