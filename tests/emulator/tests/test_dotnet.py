"""The .NET formatting helpers and the clock."""

import re

from leapwork_emulator.clock import Clock
from leapwork_emulator.dotnet import date_object, date_string, timespan, with_ids

TIMESPAN = re.compile(r"^(\d+\.)?\d{2}:\d{2}:\d{2}(\.\d{7})?$")


def test_timespan_format():
    assert timespan(24.9951204) == "00:00:24.9951204"
    assert timespan(0) == "00:00:00"
    assert timespan(8) == "00:00:08"
    assert timespan(3661.5) == "01:01:01.5000000"
    assert timespan(90061) == "1.01:01:01"
    assert TIMESPAN.match(timespan(12.3456789))


def test_date_object_and_string():
    value = date_object(1545393448.25)
    assert set(value) == {"Value", "LocalDateTime", "UtcDateTime", "Ticks"}
    assert value["Value"] == "2018-12-21T11:57:28.2500000+00:00"
    assert value["UtcDateTime"] == "2018-12-21T11:57:28.2500000"
    assert value["Ticks"] == 636809902482500000
    assert date_string(0) == "1970-01-01T00:00:00.0000000+00:00"


def test_ids_count_in_document_order():
    document = with_ids([{"A": {"B": 1}, "C": [{"D": 2}, {"E": {}}]}, {"F": 3}])
    assert document == [
        {"$id": "1", "A": {"$id": "2", "B": 1}, "C": [{"$id": "3", "D": 2}, {"$id": "4", "E": {"$id": "5"}}]},
        {"$id": "6", "F": 3},
    ]
    assert list(document[0])[0] == "$id"


def test_clock_speed_and_wall_mapping():
    now = [100.0]
    clock = Clock(speed=10, monotonic=lambda: now[0], wall=lambda: 1000.0)
    assert clock.now() == 0
    now[0] = 101.0
    assert clock.now() == 10.0
    clock.speed = 2
    now[0] = 102.0
    assert clock.now() == 12.0
    assert clock.speed == 2
    assert clock.wall(5.0) == 1000.5
    assert clock.wall(12.0) == 1002.0
    assert clock.wall(None) is None
    assert clock.date(12.0) == 1012.0
    assert clock.real_delay(4.0) == 2.0
