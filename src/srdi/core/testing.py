"""Helpers for tests: the project's own copies of the contracts (docs/contracts/).

The exchange-format and evaluation contracts, and their worked examples, are the project's own
documents under ``docs/contracts/``; tests read them there and never outside the repository.
"""

from __future__ import annotations

from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[3]


def contracts_dir() -> Path:
    return REPO_DIR / "docs" / "contracts"


def examples_dir() -> Path:
    return contracts_dir() / "examples"
