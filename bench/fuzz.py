"""Long fuzzing runs: the CI harness (tests/support/fuzzing.py, tests/compiler/test_fuzz.py) with many more cases.

Usage, from the repository root (the harness lives in the tests package):
    python -m bench.fuzz [--cases 50000] [--seed 1] [--sanitize 50] [--oracle] [--out fuzz-failures]
Failing mutants are written to --out with a .txt note each; reproduce one with
`tinygen --debug report FILE` (compile errors) or `tinygen emulate FILE` (generated C vs TFLM).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.support import fuzzing as fuzz

MLPERF_DIR = Path(__file__).resolve().parents[2] / "shared" / "models" / "mlperf_tiny"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1, help="random seed of the campaign")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds allowed per case")
    parser.add_argument("--sanitize", type=int, default=50, help="accepted mutants to run under ASan/UBSan")
    parser.add_argument("--oracle", action="store_true", help="also compare those with TFLM (child process)")
    parser.add_argument("--mlperf", type=Path, default=MLPERF_DIR, help="directory of extra seed .tflite files")
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()

    seeds = fuzz.load_seeds(args.mlperf)
    print(f"seeds: {', '.join(s.name for s in seeds)}", flush=True)

    def progress(n: int, case: fuzz.Case) -> None:
        if case.outcome not in ("accepted", "refused"):
            print(f"  case {n}: {case.outcome} ({case.seed}, {case.mutation})", flush=True)
        elif n % 1000 == 0:
            print(f"  {n} cases", flush=True)

    report = fuzz.campaign(seeds, args.cases, rng_seed=args.seed, budget=args.budget,
                           sanitize_count=args.sanitize, progress=progress, oracle=args.oracle)
    print(report.by_mutation())
    for c in report.sanitized:
        if c.tflm not in ("", "equal"):
            print(f"  {c.seed} {c.mutation}: {c.outcome}, TFLM: {c.tflm}")
    print(report.summary())
    if report.failures:
        saved = fuzz.save_failures(report, args.out)
        print(f"{len(saved)} failing mutants written to {args.out}/")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
