"""Enterprise profile exchange format v1 (企业画像交换格式): schema, validation, readers, writers.

Pure Python: imports nothing from Django. See docs/contracts/enterprise-profile.md.

    from srdi.exchange import read_profiles, ProfileErrors, write_json
    try:
        profiles = read_profiles("file.xlsx", regions=..., industries=...)
    except ProfileErrors as e:
        for p in e.problems:
            print(p.format_zh())
"""

from .problems import UNREADABLE, Problem, ProfileErrors, Records, rejected_records
from .readers import iter_records, read_profiles, read_records
from .uscc import check_uscc, make_uscc, random_uscc, uscc_check_char
from .validate import (
    derive_size_sector,
    normalize_industry_code,
    validate_record,
    validate_records,
)
from .writers import to_json_obj, write_json, write_jsonl, write_xlsx
from .xlsx import build_template

__all__ = [
    "UNREADABLE",
    "Problem",
    "ProfileErrors",
    "Records",
    "build_template",
    "check_uscc",
    "derive_size_sector",
    "iter_records",
    "make_uscc",
    "normalize_industry_code",
    "random_uscc",
    "read_profiles",
    "read_records",
    "rejected_records",
    "to_json_obj",
    "uscc_check_char",
    "validate_record",
    "validate_records",
    "write_json",
    "write_jsonl",
    "write_xlsx",
]
