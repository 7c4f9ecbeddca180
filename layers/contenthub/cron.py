"""Cron as the old system wrote it (5-field Unix cron, e.g. `0 8 * * *`) and as EventBridge
Scheduler wants it (`cron(0 8 * * ? *)`): validation, translation both ways, next fire times.

Differences handled here (AWS: docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
- AWS has six fields (a year last) and needs `?` in day-of-month or day-of-week;
- Unix day-of-week is 0-7 with 0 and 7 = Sunday; AWS is 1-7 with 1 = Sunday;
- Unix treats a restricted day-of-month *and* day-of-week as "either matches"; AWS cannot
  express that, so such an expression is refused with a message saying so.
Evaluation (next fire times, with a timezone and its DST rules) is cronsim's, a maintained
implementation of Unix cron semantics.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

_DOW_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class CronError(ValueError):
    """An expression or timezone we cannot schedule; the message says why."""


@cache
def scheduler_zones() -> frozenset[str]:
    """The time zone names EventBridge Scheduler accepts: the IANA database's zones and links, as the
    tzdata package lists them (the same list here and on Lambda), less `Factory`. A system's zoneinfo
    folder also holds localtime, posixrules and the posix/ and right/ trees, which ZoneInfo would
    load but Scheduler refuses."""
    return frozenset(resources.files("tzdata").joinpath("zones").read_text().split()) - {"Factory"}


def zone(name: str) -> ZoneInfo:
    unknown = CronError(f"unknown timezone {name!r}; use an IANA name such as UTC or Asia/Shanghai")
    if name not in scheduler_zones():
        raise unknown
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise unknown from error


def _fields(expression: str) -> list[str]:
    fields = expression.split()
    if len(fields) != 5:
        raise CronError(
            f"cron {expression!r} has {len(fields)} fields; expected 5 (minute hour day-of-month month day-of-week), "
            "e.g. '0 8 * * *'"
        )
    return fields


def validate(expression: str) -> str:
    """The expression, normalised, if it is valid Unix cron that Scheduler can run; else CronError."""
    fields = _fields(expression)
    try:
        CronSim(" ".join(fields), datetime(2026, 1, 1))
    except CronSimError as error:
        raise CronError(f"invalid cron {expression!r}: {error}") from error
    if fields[2] not in ("*", "?") and fields[4] not in ("*", "?"):
        raise CronError(
            f"cron {expression!r} restricts both day-of-month and day-of-week; EventBridge Scheduler supports "
            "only one of them (use '*' in the other)"
        )
    if "L" in fields[4].upper() or "#" in fields[4]:
        raise CronError(f"cron {expression!r}: 'L' and '#' in day-of-week are not supported")
    return " ".join(fields)


def _dow_to_aws(field: str) -> str:
    """Unix 0-7 (Sunday 0 or 7) → AWS 1-7 (Sunday 1); names stay names (upper case, as AWS shows them)."""
    if "/" in field:
        base, step = field.split("/", 1)
        return f"{_dow_to_aws(base) if base != '*' else '*'}/{step}"
    parts: list[str] = []
    for part in field.upper().split(","):
        bounds = part.split("-")
        if len(bounds) == 2 and bounds[1] == "7" and bounds[0].isdigit():  # a range up to Sunday-as-7
            start = int(bounds[0]) % 7 + 1
            new = ["1-7"] if start == 1 else [f"{start}-7", "1"]
        else:
            new = [re.sub(r"\d+", lambda m: str(int(m.group(0)) % 7 + 1), part)]
        parts += [p for p in new if p not in parts]
    return ",".join(parts)


def _dow_to_unix(field: str) -> str:
    def number(match: re.Match[str]) -> str:
        return str(int(match.group(0)) - 1)

    if "/" in field:
        base, step = field.split("/", 1)
        return f"{_dow_to_unix(base) if base != '*' else '*'}/{step}"
    return re.sub(r"\d+", number, field)


def to_aws(expression: str) -> str:
    """`0 8 * * *` → `cron(0 8 * * ? *)`; `30 9 * * 1-5` → `cron(30 9 ? * 2-6 *)`."""
    minute, hour, dom, month, dow = validate(expression).split()
    if dow in ("*", "?"):
        dow = "?"
        dom = "*" if dom == "?" else dom
    else:
        dom = "?"
        dow = _dow_to_aws(dow)
    return f"cron({minute} {hour} {dom} {month.upper()} {dow} *)"


def from_aws(expression: str) -> str:
    """The inverse of to_aws, for schedules read back from Scheduler (`cron(…)` with year `*`)."""
    match = re.fullmatch(r"cron\((.*)\)", expression.strip())
    if not match:
        raise CronError(f"{expression!r} is not a cron(...) schedule expression")
    fields = match.group(1).split()
    if len(fields) != 6 or fields[5] != "*":
        raise CronError(f"{expression!r}: only six-field expressions with year '*' are supported")
    minute, hour, dom, month, dow, _ = fields
    dom = "*" if dom == "?" else dom
    dow = "*" if dow == "?" else _dow_to_unix(dow)
    return validate(f"{minute} {hour} {dom} {month} {dow}")


def fire_times(expression: str, timezone: str, after: datetime) -> Iterator[datetime]:
    """Fire times strictly after `after`, in the schedule's timezone (DST as that zone has it)."""
    tz = zone(timezone)
    start = after.astimezone(tz).replace(second=0, microsecond=0)
    for when in CronSim(validate(expression), start):
        if when > after:
            yield when


def last_fire_time(expression: str, timezone: str, at_or_before: datetime) -> datetime | None:
    """The most recent fire time ≤ `at_or_before` (None if there is none within a year)."""
    tz = zone(timezone)
    start = at_or_before.astimezone(tz).replace(second=0, microsecond=0)
    # cronsim's reverse iteration starts strictly before `start`; the minute itself may match.
    for when in CronSim(validate(expression), start.replace(second=1), reverse=True):
        if (start - when).days > 366:
            return None
        return when
    return None


def shortest_gap(expression: str, timezone: str, horizon_days: int = 400, samples: int = 5000) -> timedelta | None:
    """The shortest time between two consecutive fire times over the next `horizon_days` (DST
    changes included), looking at most `samples` firings; None if it fires less than twice."""
    start = datetime(2026, 1, 1, tzinfo=zone(timezone))
    end = start + timedelta(days=horizon_days)
    shortest: timedelta | None = None
    previous: datetime | None = None
    for index, when in enumerate(fire_times(expression, timezone, start)):
        if when > end or index >= samples:
            break
        if previous is not None:
            gap = when.astimezone(UTC) - previous.astimezone(UTC)
            shortest = gap if shortest is None else min(shortest, gap)
        previous = when
    return shortest
