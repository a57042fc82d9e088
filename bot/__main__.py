"""`python -m bot [run|clock|migrate]`."""

import sys

from bot.runners import clock, migrate_only, run

COMMANDS = {"run": run, "clock": clock, "migrate": migrate_only}


def main(argv: list[str]) -> None:
    name = argv[0] if argv else "run"
    if name not in COMMANDS or len(argv) > 1:
        print("usage: python -m bot [run|clock|migrate]", file=sys.stderr)
        raise SystemExit(2)
    COMMANDS[name]()


main(sys.argv[1:])
