"""Helpers that imitate .NET JSON output: TimeSpan strings, dates and "$id" counters."""

import datetime

TICKS_PER_SECOND = 10000000
# .NET ticks (100 ns units since 0001-01-01) at the Unix epoch.
EPOCH_TICKS = 621355968000000000


def timespan(seconds):
    """Format seconds as a .NET TimeSpan ("c" format), e.g. ``00:00:24.9951204``."""
    ticks = int(round(max(seconds, 0.0) * TICKS_PER_SECOND))
    whole, fraction = divmod(ticks, TICKS_PER_SECOND)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = "%02d:%02d:%02d" % (hours, minutes, secs)
    if days:
        text = "%d.%s" % (days, text)
    if fraction:
        text += ".%07d" % fraction
    return text


def _ticks(epoch):
    whole = int(epoch // 1)
    return EPOCH_TICKS + whole * TICKS_PER_SECOND + int(round((epoch - whole) * TICKS_PER_SECOND))


def _iso(epoch):
    """ISO text with seven fraction digits, no offset."""
    ticks = _ticks(epoch)
    moment = datetime.datetime(1, 1, 1) + datetime.timedelta(microseconds=ticks // 10)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".%07d" % (ticks % TICKS_PER_SECOND)


def date_string(epoch):
    """A plain .NET DateTimeOffset string in UTC, e.g. ``2020-03-26T13:35:45.4314608+00:00``."""
    return _iso(epoch) + "+00:00"


def date_object(epoch):
    """A .NET date object as keyframes carry it (``Value``, ``LocalDateTime``, ``UtcDateTime``, ``Ticks``)."""
    text = _iso(epoch)
    return {
        "Value": text + "+00:00",
        "LocalDateTime": text,
        "UtcDateTime": text,
        "Ticks": _ticks(epoch),
    }


def with_ids(document):
    """Return a copy of ``document`` where every object starts with a ``"$id"`` counter in document order."""
    counter = [0]

    def walk(value):
        if isinstance(value, dict):
            counter[0] += 1
            result = {"$id": str(counter[0])}
            for key, item in value.items():
                if key != "$id":
                    result[key] = walk(item)
            return result
        if isinstance(value, (list, tuple)):
            return [walk(item) for item in value]
        return value

    return walk(document)
