"""An emulated clock: emulated seconds run ``speed`` times faster than real seconds."""

import threading
import time


class Clock:
    """Emulated time in seconds since the emulator started; ``speed`` may change at runtime."""

    def __init__(self, speed=1.0, monotonic=time.monotonic, wall=time.time):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._real0 = monotonic()
        self.wall0 = wall()
        # Segments (emulated start, real start, speed), oldest first.
        self._segments = [(0.0, self._real0, float(speed))]

    @property
    def speed(self):
        """The current speed factor."""
        with self._lock:
            return self._segments[-1][2]

    @speed.setter
    def speed(self, value):
        value = float(value)
        if value <= 0:
            raise ValueError("speed must be positive")
        with self._lock:
            real = self._monotonic()
            emulated = self._emulated(real)
            self._segments.append((emulated, real, value))

    def _emulated(self, real):
        emu0, real0, speed = self._segments[-1]
        return emu0 + (real - real0) * speed

    def now(self):
        """Emulated seconds since the start."""
        with self._lock:
            return self._emulated(self._monotonic())

    def date(self, emulated):
        """Epoch seconds of an emulated instant on the emulated calendar (start wall time + emulated seconds)."""
        return self.wall0 + emulated

    def wall(self, emulated):
        """Real wall-clock epoch seconds at which the clock showed ``emulated``."""
        if emulated is None:
            return None
        with self._lock:
            segment = self._segments[0]
            for candidate in self._segments:
                if candidate[0] <= emulated:
                    segment = candidate
            emu0, real0, speed = segment
            real = real0 + (emulated - emu0) / speed
            return self.wall0 + (real - self._real0)

    def real_delay(self, emulated_seconds):
        """Real seconds needed for ``emulated_seconds`` to pass at the current speed."""
        return emulated_seconds / self.speed
