#!/usr/bin/env python3
"""Regenerate the GitHub-activity sample seeds under seeds/.

Deterministic: a fixed-seed PRNG, so re-running produces byte-identical CSVs.
Usage: python3 scripts/gen_seeds.py
"""
import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
rng = random.Random(20240301)

# repo_id, repo_name, language, created_at, stars, updated_at
REPOS = [
    (101, "acme/widgets", "Rust", "2019-05-14", 1840),
    (102, "acme/widgets-docs", None, "2020-01-09", 95),
    (103, "acme/gadget-api", "Go", "2021-07-22", 612),
    (104, "openfoo/parser", "Rust", "2018-11-02", 5230),
    (105, "openfoo/cli", "Rust", "2020-03-30", 977),
    (106, "openfoo/website", "TypeScript", "2019-08-17", 143),
    (107, "datalab/notebooks", "Python", "2022-02-11", 388),
    (108, "datalab/pipelines", "Python", "2021-10-05", 1204),
    (109, "datalab/sqlkit", "Python", "2023-04-19", 256),
    (110, "quartz-ui/components", "TypeScript", "2020-06-26", 3310),
    (111, "quartz-ui/icons", "TypeScript", "2021-01-13", 702),
    (112, "tinyhttp-org/server", "Go", "2022-09-08", 450),
    (113, "tinyhttp-org/router", "Go", "2023-01-27", 131),
    (114, "jvmtools/buildkit", "Java", "2017-12-01", 2675),
    (115, "jvmtools/lint-rules", "Kotlin", "2022-06-15", 89),
]

# actor_id, login, type, company, country
USERS = [
    (1001, "alice-dev", "User", "Acme Corp", "US"),
    (1002, "bkowalski", "User", "", "PL"),
    (1003, "chen-wei", "User", "Datalab", "CN"),
    (1004, "dmitri-k", "User", "", "DE"),
    (1005, "e-okafor", "User", "Quartz UI", "NG"),
    (1006, "fatima-z", "User", "Datalab", "MA"),
    (1007, "gustavo-lima", "User", "", "BR"),
    (1008, "hana-sato", "User", "Acme Corp", "JP"),
    (1009, "ivan-petrov", "User", "JVM Tools", "RS"),
    (1010, "julia-m", "User", "", "FR"),
    (1011, "kwame-a", "User", "Tinyhttp", "GH"),
    (1012, "lena-s", "User", "OpenFoo", "SE"),
    (1013, "marco-rossi", "User", "", "IT"),
    (1014, "nina-patel", "User", "Quartz UI", "IN"),
    (1015, "oscar-n", "User", "", ""),
    (1016, "priya-r", "User", "OpenFoo", "IN"),
    (1017, "quentin-b", "User", "", "CA"),
    (1018, "rosa-g", "User", "Datalab", "ES"),
    (1019, "sam-taylor", "User", "", "AU"),
    (1020, "tomas-h", "User", "JVM Tools", "CZ"),
    (1021, "dependabot[bot]", "Bot", "GitHub", ""),
    (1022, "github-actions[bot]", "Bot", "GitHub", ""),
    (1023, "renovate[bot]", "Bot", "Mend", ""),
]
HUMANS = [u for u in USERS if u[2] == "User"]
BOTS = [u for u in USERS if u[2] == "Bot"]

EVENT_WEIGHTS = [
    ("PushEvent", 34),
    ("PullRequestEvent", 16),
    ("IssuesEvent", 10),
    ("IssueCommentEvent", 16),
    ("WatchEvent", 14),
    ("ForkEvent", 5),
    ("CreateEvent", 5),
]
ACTIONS = {
    "PullRequestEvent": ["opened", "opened", "closed", "closed", "reopened"],
    "IssuesEvent": ["opened", "opened", "closed"],
    "IssueCommentEvent": ["created"],
    "WatchEvent": ["started"],
}


def pick_event_type():
    total = sum(w for _, w in EVENT_WEIGHTS)
    r = rng.uniform(0, total)
    for name, w in EVENT_WEIGHTS:
        r -= w
        if r <= 0:
            return name
    return EVENT_WEIGHTS[-1][0]


def main():
    SEEDS.mkdir(exist_ok=True)

    with open(SEEDS / "raw_repos.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["repo_id", "repo_name", "language", "created_at", "stars", "updated_at"])
        for repo_id, name, lang, created, stars in REPOS:
            updated = f"2024-04-{rng.randint(20, 30):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
            w.writerow([repo_id, name, lang or "", created, stars, updated])

    with open(SEEDS / "raw_users.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["actor_id", "login", "type", "company", "country"])
        for row in USERS:
            w.writerow(row)

    # 296 events in March/April 2024 plus 4 from late February that the
    # staging model drops via var('start_date').
    start = datetime(2024, 3, 1)
    stamps = [start + timedelta(seconds=rng.randint(0, 60 * 86400 - 1)) for _ in range(296)]
    stamps += [datetime(2024, 2, 27 + i % 3, 8 + i, 15, 0) for i in range(4)]
    stamps.sort()

    rows = []
    event_id = 30000000
    for ts in stamps:
        event_id += rng.randint(1, 40)
        etype = pick_event_type()
        repo = REPOS[min(int(rng.paretovariate(1.3)) - 1, len(REPOS) - 1) if rng.random() < 0.6 else rng.randrange(len(REPOS))]
        if etype in ("PushEvent", "PullRequestEvent", "CreateEvent") and rng.random() < 0.18:
            actor = rng.choice(BOTS)
        else:
            actor = rng.choice(HUMANS)
        action = rng.choice(ACTIONS[etype]) if etype in ACTIONS else ""
        if etype == "PullRequestEvent" and actor[2] == "Bot":
            action = "opened"
        size = str(rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 8, 13])) if etype == "PushEvent" else ""
        public = "false" if rng.random() < 0.04 else "true"
        rows.append([event_id, etype, actor[0], actor[1], repo[0], repo[1],
                     ts.strftime("%Y-%m-%d %H:%M:%S"), action, size, public])

    with open(SEEDS / "raw_events.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "type", "actor_id", "actor_login", "repo_id", "repo_name",
                    "created_at", "payload_action", "payload_size", "public"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
