"""Command line: ``python -m leapwork_emulator --host 127.0.0.1 --port 0 --access-key KEY``."""

import argparse
import signal
import sys
import threading

from .catalogue import ConfigError
from .faults import FaultError
from .server import EmulatorState, Server


def parse_args(argv):
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m leapwork_emulator", description="Leapwork controller emulator")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9001, help="port; 0 picks a free one (default 9001)")
    parser.add_argument("--config", help="JSON catalogue/config file (default: the built-in catalogue)")
    parser.add_argument("--access-key", action="append", default=[], help="an access key with every scope (repeatable)")
    parser.add_argument("--speed", type=float, help="emulated seconds per real second (default: config or 1)")
    parser.add_argument("--grace-polls", type=int, help="polls of a new run answered 404 'No such run'")
    parser.add_argument("--finish-lag", type=float,
                        help="each run's last item turns final up to this many (emulated) seconds after the run reads Finished")
    parser.add_argument("--tls-cert", help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    return parser.parse_args(argv)


def main(argv=None):
    """Run until SIGTERM or SIGINT; returns the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        keys = args.access_key or [None]
        state = EmulatorState(args.config, access_key=keys[0], speed=args.speed, grace_polls=args.grace_polls,
                              finish_lag=args.finish_lag)
        for key in keys[1:]:
            state.access_keys[key] = ("run", "read")
    except (OSError, ConfigError, FaultError, ValueError, KeyError) as exc:
        sys.stderr.write("leapwork emulator: bad configuration: %s\n" % exc)
        return 2
    if not state.access_keys:
        sys.stderr.write("leapwork emulator: no access key (use --access-key or access_keys in the config)\n")
        return 2
    try:
        server = Server((args.host, args.port), state, args.tls_cert, args.tls_key)
    except (OSError, ValueError) as exc:
        sys.stderr.write("leapwork emulator: cannot listen: %s\n" % exc)
        return 2
    stop = threading.Event()

    def on_signal(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    sys.stdout.write("Leapwork emulator listening on %s\n" % server.url)
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    server.shutdown_all()
    thread.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
