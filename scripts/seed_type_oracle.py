#!/usr/bin/env python3
"""Write src/seed/testdata/agate_oracle.jsonl: seed cell values and the column type dbt gives them.

Each line is {"v": [cell, ...], "t": "<sql type>"}: the values of one seed column and the
type dbt-core's agate type tester + dbt-duckdb's convert_type produce for it. The Rust
test `seed::infer::tests::agrees_with_the_agate_oracle` replays every line.

Needs the dbt venv (dbt-core, agate): /work/.venv-dbt/bin/python scripts/seed_type_oracle.py
Deterministic: fixed-seed PRNG, so re-running gives the same file.
"""
import json
import random
from pathlib import Path

import agate
from dbt_common.clients.agate_helper import Integer, build_type_tester

OUT = Path(__file__).resolve().parent.parent / "src/seed/testdata/agate_oracle.jsonl"
rng = random.Random(20240611)


def dbt_type(values):
    table = agate.Table([[v] for v in values], ["c"], column_types=build_type_tester(()))
    ty = table.column_types[0]
    if isinstance(ty, Integer):
        return "integer"
    if isinstance(ty, agate.Text):
        return "text"
    if isinstance(ty, agate.Number):
        return "float8" if table.aggregate(agate.MaxPrecision(0)) else "integer"
    if isinstance(ty, agate.Boolean):
        return "boolean"
    if isinstance(ty, agate.DateTime):
        return "timestamp without time zone"
    if isinstance(ty, agate.Date):
        return "date"
    raise ValueError(ty)


CURATED = [
    "", " ", "null", "NULL", " Null ", "none", "na", "n/a",
    "0", "1", "-1", "+1", "007", "1.0", "1.50", "-0.0", "1e3", "1E-2", "2E+2", ".5", "5.",
    "1,000", "1,000.5", ",5", "$5", "-$5", "$-5", "€5€", "5%", "%5%", "--5", "-+5", "- 5",
    "1_000", "_1", "1_", "1__0", "1._5", "_", "NaN", "nan", "-NaN", "NaN12", "sNaN", "inf",
    "-Infinity", "Infinity5", "0x10", "1e", "e1", "1e+", "1.2.3", "12345678901234567890123456789",
    "1234567890123456789012345678.5", "0.1234567890123456789012345678901", "99999999999999999999999999999",
    "3000000000", "2147483648", "1e999999", "1e-999999", "1e308", "1e309", "1.5e308",
    "1.797693134862315807937289714e308", "1.797693134862315807937289715e308", "1e30",
    "true", "false", "True", "FALSE", " true ", "t,rue", ",", ",,", "yes", "no", "t", "f", "y",
    "2024-01-02", "2024-1-2", "2024-01- 2", "2024-1-02", "0000-01-01", "0001-01-01", "9999-12-31",
    "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "2024-01-00",
    "24-01-02", "20240102", "2024/01/02", "01/02/2024", "2024-01-02 ",
    "2024-01-02 03:04:05", "2024-01-02 3:4:5", "2024-01-02  03:04:05", "2024-01-02\t03:04:05",
    "2024-01-02 03:04:60", "2024-01-02 03:04:59", "2024-01-02 24:00:00", "2024-01-02 03:04",
    "2024-01-02 03:04:05.123", "2024-01-02 03:04:05Z",
    "2024-01-02T03:04:05", "2024-01-02T03:04:05.123456", "2024-01-02T03:04:05,5",
    "2024-01-02T03:04:05Z", "2024-01-02T03:04:05+02:00", "2024-01-02T03:04:05+0200",
    "2024-01-02T03:04:05-05", "2024-01-02T03:04:05+99:99", "2024-01-02T03:04", "2024-01-02T03",
    "2024-01-02T03.5", "2024-01-02T0304", "2024-01-02T030405", "20240102T030405",
    "2024-01-02T24:00:00", "2024-01-02T23:59:60", "2024-01-02t03:04:05", "2024-01-02TT03:04",
    "2024-W01-1T10:00", "2024W011T10", "2024-W01T10", "2024W01T10", "2024-001T10", "2024001T10",
    "2024-366T10", "2023-366T10", "2024-000T10", "0001-000T10", "2024-00T10", "2024-01T10",
    "202401T10", "2024T10", "20T10", "00T00", "0001-01-01T00", "9999-W99-9T00", "2024-W00-0T00",
    "2024-01-02T10:00:00.5Z", "2024-01-02T10:30.5", "2024-01-02T10.25+01",
    "03:04:05", "T03:04:05", "abc", "hello world", " 1 ", "1 2", "\u00a01", "\x1c1", "1\u20005",
]

ALPHABET = "0123456789-+.,eE_%$ :TWZtruefalsnNIy\t"


def fuzz_value():
    kind = rng.random()
    if kind < 0.2:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 10)))
    y = "".join(rng.choice("0123456789") for _ in range(rng.choice([2, 4, 4, 4, 4, 5])))
    wild = rng.random() < 0.25
    m = str(rng.randint(0, 13) if wild else rng.randint(1, 12)).zfill(rng.choice([1, 2, 2]))
    d = str(rng.randint(0, 32) if wild else rng.randint(1, 28)).zfill(rng.choice([1, 2, 2]))
    hh, mm, ss = (
        str(rng.randint(0, 61) if wild else rng.randint(0, 23)).zfill(rng.choice([1, 2, 2]))
        for _ in range(3)
    )
    frac = rng.choice(["", "", ".5", ",25", ".123456789"])
    tz = rng.choice(["", "", "Z", "+02:00", "-0530", "+01", "+1"])
    sep = rng.choice(["-", "-", "", "/"])
    date = f"{y}{sep}{m}{sep}{d}" if rng.random() < 0.8 else f"{y}-W{m.zfill(2)}-{d[:1]}"
    shape = rng.random()
    if shape < 0.25:
        s = date
    elif shape < 0.55:
        s = f"{date} {hh}:{mm}:{ss}{frac}"
    else:
        s = f"{date}T{hh}:{mm}:{ss}{frac}{tz}" if rng.random() < 0.7 else f"{date}T{hh}{mm}{tz}"
    if rng.random() < 0.1:
        i = rng.randint(0, len(s))
        s = s[:i] + rng.choice(ALPHABET) + s[i + 1:]
    return s


def main():
    cases, seen = [], set()

    def add(values):
        key = tuple(values)
        if key in seen:
            return
        seen.add(key)
        try:
            t = dbt_type(values)
        except Exception:  # dbt itself crashes (decimal Overflow): nothing to compare
            return
        cases.append({"v": list(values), "t": t})

    for v in CURATED:
        add([v])
    singles = [fuzz_value() for _ in range(2000)]
    for v in singles:
        add([v])
    pool = CURATED + singles
    for _ in range(600):
        add([rng.choice(pool) for _ in range(rng.randint(2, 4))])
    # Number columns mixing precisions, the case convert_number_type decides on.
    nums = ["1", "1.5", "-2", "1e3", "2.50", "", "null", "NaN", "1,000", "$3", "0.000001",
            "12345678901234567890123456789", "0.5"]
    for _ in range(300):
        add([rng.choice(nums) for _ in range(rng.randint(2, 4))])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    counts = {}
    for c in cases:
        counts[c["t"]] = counts.get(c["t"], 0) + 1
    print(len(cases), "cases", counts)


if __name__ == "__main__":
    main()
