"""A faithful emulator of the Leapwork controller REST API (v4), standard library only."""

from .catalogue import DEFAULT_CONFIG, Catalogue, ConfigError, load_config
from .clock import Clock
from .server import DEFAULT_ACCESS_KEY, Emulator, EmulatorState, Server

__all__ = ["DEFAULT_ACCESS_KEY", "DEFAULT_CONFIG", "Catalogue", "Clock", "ConfigError", "Emulator", "EmulatorState",
           "Server", "load_config"]
