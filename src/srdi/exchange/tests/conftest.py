import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from srdi.core.testing import examples_dir

# the worked examples of the exchange-format contract (docs/contracts/examples/)
EXAMPLES = examples_dir() / "profiles.json"


@pytest.fixture(scope="session")
def examples_path() -> Path:
    return EXAMPLES


@pytest.fixture
def examples(examples_path) -> list[dict]:
    return json.loads(examples_path.read_text(encoding="utf-8"), parse_float=Decimal)


@pytest.fixture
def good() -> dict:
    """One valid, fairly complete record."""
    return copy.deepcopy(GOOD)


GOOD = {
    "uscc": "91320581712345672C",
    "name": "常熟市精工轴承有限公司",
    "region": "梅李镇",
    "industry_code": "C3451",
    "established": "2010-05-04",
    "niche_since": "2016-03-01",
    "main_product": "精密轴承",
    "sei_code": "2.1",
    "foundation_field": "components",
    "priority_field": True,
    "market": {"share_pct": Decimal("8.5"), "domestic_rank": 5, "global_rank": 40, "leading": True},
    "digital_level": 2,
    "quality": {"iso9001": True},
    "rd_institution": "municipal",
    "ip": {"class1": 3, "class1_self_developed": 2, "class1_high_value": 1, "class1_applied": 2},
    "awards": [{"level": "provincial", "year": 2023, "rank": 2}],
    "maker_china": [{"year": 2024, "group": "top500"}],
    "honors": [{"type": "high_tech", "valid_until": "2026-12-31"}],
    "titles": [
        {
            "tier": "srdi_sme",
            "level": "provincial",
            "granted": "2023-12-01",
            "valid_until": "2026-11-30",
        }
    ],
    "development_scores": {"2025": 61},
    "local_featured_points": 9,
    "compliance": {"abnormal_list": False},
    "years": {
        "2024": {
            "employees": 260,
            "rd_staff": 39,
            "revenue": 10000,
            "main_revenue": 9000,
            "total_assets": 12000,
            "total_liabilities": 6600,
            "net_profit": -750,
            "rd_expense": Decimal("420.5"),
            "equity_financing": 0,
            "cnc_rate": Decimal("65.5"),
            "digital_management": True,
        }
    },
    "ext": {"anything": {"goes": [1, "two", None]}},
}
