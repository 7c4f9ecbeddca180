"""Human output: aligned tables and key/value blocks that stay aligned with CJK text."""

from __future__ import annotations

import unicodedata
from typing import Any


def width(text: str) -> int:
    """Display width: wide (CJK) characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def table(rows: list[dict[str, Any]], columns: list[str], max_width: int = 48) -> str:
    if not rows:
        return "(none)"
    cells = [[_clip(cell(r.get(c)), max_width) for c in columns] for r in rows]
    widths = [max(width(c), *(width(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(pad(c.upper(), w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def _clip(text: str, limit: int) -> str:
    if width(text) <= limit:
        return text
    out = ""
    for ch in text:
        if width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def pairs(data: dict[str, Any], keys: list[str]) -> str:
    columns = max(width(k) for k in keys)
    return "\n".join(f"{pad(k, columns)}  {cell(data.get(k))}" for k in keys)


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def bar(progress: int) -> str:
    return "[" + "#" * (progress // 5) + "." * (20 - progress // 5) + f"] {progress}%"
