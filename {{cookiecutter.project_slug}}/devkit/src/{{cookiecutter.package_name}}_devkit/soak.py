"""`make soak`: the chaos scenario with many messages; prints the counts and the time taken.

Run: `python -m {{ cookiecutter.package_name }}_devkit.soak --count 10000`.
Exit status 1 when a message was lost or doubled. Everything runs on 127.0.0.1 (see `chaos`).
"""

import argparse
import sys
from collections.abc import Sequence

from .chaos import ChaosSettings, run_chaos


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak.

    Args:
        argv: Arguments after the program name (default: `sys.argv[1:]`).

    Returns:
        0 when nothing was lost or doubled, else 1.
    """
    defaults = ChaosSettings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=10_000, help="messages (default 10000)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="seed of every fault RNG")
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600.0,
        help="seconds to wait for the system to settle (default 3600)",
    )
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    report = run_chaos(ChaosSettings(count=args.count, seed=args.seed, timeout=args.timeout))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
