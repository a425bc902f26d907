"""Audit action codes fit their column on every database, and every domain's code reads in Chinese."""

from __future__ import annotations

import pytest

from srdi.audit.models import action_label
from srdi.audit.services import record


@pytest.mark.django_db
def test_an_action_code_longer_than_its_column_is_refused_on_sqlite_too() -> None:
    record(action="finance.listing.transfer")  # 24 characters: kept
    with pytest.raises(ValueError, match="longer than 30"):
        record(action="finance.listing.problem.transfer")  # 32: PostgreSQL would refuse it


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("finance.need.grant", "金融服务操作"),
        ("support.req.accept", "服务体系操作"),
        ("chains.supply.confirm", "产业链操作"),
        ("recognition.honour.add", "荣誉认定操作"),
        ("cultivation.plan.save", "梯度培育操作"),
    ],
)
def test_every_domain_reads_in_chinese(code: str, label: str) -> None:
    assert action_label(code) == label
