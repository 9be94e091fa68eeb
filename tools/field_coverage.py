"""Print, per dialect, the documented fields skincore produces and those it does not.

    python tools/field_coverage.py [--markdown]

The numbers come from the field tables (skincore.dialects.fields) and the concern
registry, the same source as every dialect's "not implemented" list.
"""

from __future__ import annotations

import argparse
from collections import Counter

from skincore.dialects import fields


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true", help="a README table")
    args = ap.parse_args()
    rows = []
    for dialect, table in fields.TABLES.items():
        missing = fields.not_implemented(dialect)
        done = len(table) - len(missing)
        by = Counter(fields.TABLES[dialect][p] for p in missing)
        why = ", ".join(f"{k} ({n})" for k, n in sorted(by.items()))
        rows.append((dialect, done, len(table), why))
    if args.markdown:
        print("| dialect | fields produced / documented | not yet: concern (fields) |")
        print("|---|---|---|")
        for d, done, total, why in rows:
            print(f"| `{d}` | {done} / {total} | {why} |")
    else:
        for d, done, total, why in rows:
            print(f"{d:<15} {done:>3} / {total:<3}  missing: {why}")


if __name__ == "__main__":
    main()
