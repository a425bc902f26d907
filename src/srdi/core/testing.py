"""Helpers for tests: where the shared contracts (../shared beside the repository) are."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def shared_dir() -> Path:
    """`SRDI_SHARED_DIR`, else `shared/` beside the repository, else /work/shared."""
    candidates = [
        os.environ.get("SRDI_SHARED_DIR"),
        settings.BASE_DIR.parent / "shared",
        "/work/shared",
    ]
    for c in candidates:
        if c and (Path(c) / "contracts").is_dir():
            return Path(c)
    return Path(candidates[1])


def examples_dir() -> Path:
    return shared_dir() / "contracts" / "examples"
