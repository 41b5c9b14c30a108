"""Run the double until Ctrl-C: `python -m <package>_devkit.qstash_double [--port 8080]`.

Prints the environment an app or SDK needs (QSTASH_URL, QSTASH_TOKEN, signing keys).
"""

import argparse
import contextlib
import logging
import threading

from .config import DoubleSettings
from .server import run_double


def main(argv: list[str] | None = None) -> None:
    """Serve a double on 127.0.0.1 until interrupted.

    Args:
        argv: Command-line arguments (default: `sys.argv[1:]`).
    """
    parser = argparse.ArgumentParser(description="Local QStash double on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="TCP port (default 8080)")
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="real seconds per protocol second"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with run_double(DoubleSettings(time_scale=args.time_scale), port=args.port) as running:
        for name, value in running.environment().items():
            print(f"{name}={value}")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
