"""Problems found in an exchange file, with their place, and the record list that carries places."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["UNREADABLE", "Problem", "ProfileErrors", "Records", "rejected_records"]


class _Unreadable:
    """Placeholder for a record that could not be parsed (its problem is already reported)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNREADABLE"


UNREADABLE = _Unreadable()


@dataclass(slots=True)
class Problem:
    """One thing wrong with an input file.

    ``record`` is the 1-based index of the record in the file (None for a problem of the file
    itself), ``row`` the line (JSON / JSON Lines) or the worksheet row (xlsx), ``sheet`` the
    worksheet name (xlsx only), ``field`` the concrete path (``years.2024.revenue``,
    ``awards[0].level``).
    """

    file: str | None = None
    record: int | None = None
    row: int | None = None
    sheet: str | None = None
    uscc: str | None = None
    field: str | None = None
    message: str = ""

    def place_zh(self, with_file: bool = False) -> str:
        head = []
        if with_file and self.file:
            head.append(f"文件 {self.file} ")
        extra = []
        if self.sheet:
            head.append(f"工作表「{self.sheet}」")
            if self.row is not None:
                head.append(f"第{self.row}行")
            if self.record is not None:
                extra.append(f"第{self.record}条记录")
        else:
            if self.record is not None:
                head.append(f"第{self.record}条记录")
                if self.row is not None:
                    extra.append(f"第{self.row}行")
            elif self.row is not None:
                head.append(f"第{self.row}行")
        if self.uscc:
            extra.append(f"统一社会信用代码 {self.uscc}")
        text = "".join(head)
        if extra:
            text += "（" + "，".join(extra) + "）"
        if self.field:
            text += f"字段 {self.field}"
        return text

    def format_zh(self, with_file: bool = False) -> str:
        """E.g. ``第3条记录（统一社会信用代码 9132…）字段 years.2024.revenue：营业收入不能为负数（-5）``."""
        place = self.place_zh(with_file)
        return f"{place}：{self.message}" if place else self.message

    def __str__(self) -> str:
        return self.format_zh(with_file=True)

    def as_dict(self) -> dict:
        return asdict(self)


class ProfileErrors(Exception):
    """Raised by :func:`srdi.exchange.readers.read_profiles` when the input has problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        first = self.problems[0].format_zh(with_file=True) if n else ""
        super().__init__(f"导入文件有{n}个问题；第一个：{first}")


class Records(list):
    """A list of raw records as read from a file, with what the reader learnt about them.

    ``problems``: problems found while reading (bad JSON, unknown xlsx sheet …);
    ``locations``: for xlsx, one dict per record mapping a path prefix (``""``, ``"market"``,
    ``"years.2024"``, ``"awards[0]"``) to ``(sheet, row)``; for JSON Lines / JSON arrays, one
    ``{"": (None, line)}`` per record (line where the record starts) or None.
    """

    def __init__(self, items=(), *, file=None, fmt=None, problems=None, locations=None):
        super().__init__(items)
        self.file = file
        self.fmt = fmt
        self.problems = list(problems or [])
        self.locations = locations


def rejected_records(problems) -> set[int]:
    """1-based indices of the records that have at least one problem."""
    return {p.record for p in problems if p.record is not None}
