"""A separate process that upserts in a loop; driven by the crash and concurrency tests.

usage: python -m tests.support.upsert_worker TABLE PREFIX START COUNT MODULUS
Step i sets column v of row job_id=f"{PREFIX}{i % MODULUS}" to str(i). Prints "ready" once imported,
then starts when a line arrives on stdin, so that several workers can be released at once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from driver.ssot.table_io import update_csv_atomic


def main() -> None:
    table, prefix, start, count, modulus = sys.argv[1:6]
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(int(start), int(start) + int(count)):
        batch = pd.DataFrame(
            [{"run_id": "r", "job_id": f"{prefix}{i % int(modulus)}", "v": str(i)}]
        )
        update_csv_atomic(Path(table), batch, ["run_id", "job_id"])


if __name__ == "__main__":
    main()
