"""`python -m bench.big_realm [--generate-only] [--regenerate] [--rounds N] …`: see bench/big_realm/__init__.py."""

from __future__ import annotations

import argparse
import signal
import sys

from bench.big_realm import CACHE, generate, measure
from bench.stack import say
from devstack.postgres_server import running_postgres


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--generate-only", action="store_true", help="generate (or find) the data, measure nothing")
    parser.add_argument("--regenerate", action="store_true", help="generate again even when the kept data fits")
    measure.add_arguments(parser)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    with running_postgres(CACHE / "postgres") as cluster:
        note = None if args.regenerate else generate.generated()
        if note:
            say(f"reusing the data generated {note['generated_at']} in {CACHE} (generation took "
                f"{note['timings']['total_s']:.0f} s; --regenerate starts again)")
        else:
            note = generate.generate(cluster)
        if not args.generate_only:
            measure.run(cluster, note, args)


if __name__ == "__main__":
    main()
