#!/usr/bin/env python3
"""Generate the root project's raw GitHub events seed.

Writes seeds/raw_github_events.csv: one row per event, shaped like a GH Archive
record. The nested objects (actor, repo, org, payload) are stored as JSON text,
because a CSV seed cannot carry structs on every warehouse; staging extracts the
fields it needs. An empty org means NULL (the repository belongs to a user).

Columns: id, type, actor, repo, org, payload, public, created_at, load_timestamp.

The data covers one week (2024-06-03 .. 2024-06-09, UTC). Events normally land
about an hour after they happen (GH Archive publishes hourly files); a small
share arrives one to three days late, which is what the incremental fct_events
model has to pick up through its load_timestamp filter.

Deterministic: a fixed-seed PRNG and no dependence on dict/set hashing or the
clock, so running the script twice writes byte-identical files.
Standard library only. Usage: python3 scripts/gen_seeds.py
"""
import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
OUT = SEEDS / "raw_github_events.csv"

rng = random.Random(20240603)

START = datetime(2024, 6, 3)
DAYS = 7
API = "https://api.github.com"

# Relative activity per UTC hour (a broad Europe + Americas working day).
HOUR_WEIGHTS = [3, 2, 2, 2, 3, 4, 6, 8, 10, 11, 12, 12, 12, 13, 14, 14, 13, 12, 10, 9, 7, 6, 5, 4]
# Weekends are quieter.
DAY_WEIGHTS = [1.0, 1.05, 1.1, 1.0, 0.9, 0.45, 0.4]
EVENTS_PER_WEEKDAY = 650

EVENT_WEIGHTS = [
    ("PushEvent", 40),
    ("PullRequestEvent", 10),
    ("PullRequestReviewEvent", 4),
    ("IssueCommentEvent", 10),
    ("IssuesEvent", 5),
    ("WatchEvent", 13),
    ("ForkEvent", 4),
    ("CreateEvent", 8),
    ("DeleteEvent", 3),
    ("ReleaseEvent", 1.5),
    ("MemberEvent", 0.6),
    ("GollumEvent", 0.6),
    ("PublicEvent", 0.3),
]

# Organisations own most repositories; a few belong to individual users (org NULL).
ORGS = [
    ("quartz-ui", 61203344),
    ("openfoo", 48811270),
    ("datalab-io", 77120561),
    ("tinyhttp-org", 90331842),
    ("jvmtools", 35520987),
    ("rivet-db", 102456711),
]
# owner, short name, owned by an org?
REPOS = [
    ("quartz-ui", "components", True),
    ("quartz-ui", "icons", True),
    ("quartz-ui", "themes", True),
    ("quartz-ui", "docs", True),
    ("openfoo", "parser", True),
    ("openfoo", "cli", True),
    ("openfoo", "website", True),
    ("openfoo", "lsp", True),
    ("datalab-io", "notebooks", True),
    ("datalab-io", "pipelines", True),
    ("datalab-io", "sqlkit", True),
    ("datalab-io", "connectors", True),
    ("tinyhttp-org", "server", True),
    ("tinyhttp-org", "router", True),
    ("tinyhttp-org", "middleware", True),
    ("jvmtools", "buildkit", True),
    ("jvmtools", "lint-rules", True),
    ("jvmtools", "gradle-plugin", True),
    ("rivet-db", "rivet", True),
    ("rivet-db", "rivet-go", True),
    ("rivet-db", "benchmarks", True),
    ("hana-sato", "dotfiles", False),
    ("lena-s", "advent-of-code", False),
    ("kwame-a", "tiny-raytracer", False),
    ("marco-rossi", "blog", False),
    ("priya-r", "awesome-dataviz", False),
    ("chen-wei", "zig-notes", False),
    ("ivan-petrov", "kotlin-katas", False),
]

FIRST_NAMES = [
    "alice", "bruno", "chen", "dmitri", "ebere", "fatima", "gustavo", "hana", "ivan",
    "julia", "kwame", "lena", "marco", "nina", "oscar", "priya", "quentin", "rosa", "sam",
    "tomas", "uma", "victor", "wen", "ximena", "yusuf", "zofia", "arjun", "bea", "carlos",
    "dana", "emil", "farah", "goran", "helga", "ines", "jonas", "kenji", "lucia", "mateo",
    "noor",
]
SUFFIXES = ["", "-dev", "-codes", "42", "-io", "x", "-hq", "_", "-oss", "-k"]
BOTS = [
    ("dependabot[bot]", 49699333),
    ("github-actions[bot]", 41898282),
    ("renovate[bot]", 29139614),
    ("codecov[bot]", 22429695),
]
# One person renames their account mid-week; dim_actor keeps the latest login.
RENAMED_FROM = "julia-dev"
RENAMED_TO = "julia-m"
RENAME_AT = START + timedelta(days=3, hours=12)

WORDS = [
    "parser", "cache", "config", "docs", "tests", "ci", "build", "release", "logging",
    "errors", "api", "cli", "router", "schema", "auth", "metrics", "types", "lint",
    "deps", "readme", "examples", "benchmarks", "windows", "macos", "timeout", "memory",
]
VERBS = ["fix", "add", "update", "refactor", "remove", "improve", "bump", "document", "speed up"]
BRANCH_PREFIXES = ["feature", "fix", "chore", "docs", "refactor"]


def weighted(pairs):
    total = sum(w for _, w in pairs)
    r = rng.uniform(0, total)
    for item, w in pairs:
        r -= w
        if r <= 0:
            return item
    return pairs[-1][0]


def sha():
    return "%040x" % rng.getrandbits(160)


def phrase():
    return f"{rng.choice(VERBS)} {rng.choice(WORDS)} {rng.choice(WORDS)}"


def fmt(ts):
    return ts.strftime("%Y-%m-%d %H:%M:%S")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True)


def build_people():
    people = []
    used = set()
    next_id = 1_200_000
    for first in FIRST_NAMES:
        for _ in range(3):
            login = first + rng.choice(SUFFIXES)
            if login in used:
                continue
            used.add(login)
            next_id += rng.randint(1_000, 900_000)
            people.append({"id": next_id, "login": login})
    # Logins that own personal repositories must exist as people.
    for owner, _, is_org in REPOS:
        if not is_org and owner not in used:
            used.add(owner)
            next_id += rng.randint(1_000, 900_000)
            people.append({"id": next_id, "login": owner})
    if RENAMED_FROM not in used:
        next_id += rng.randint(1_000, 900_000)
        people.append({"id": next_id, "login": RENAMED_FROM})
    return people


def build_repos():
    org_ids = dict(ORGS)
    repos = []
    next_id = 480_000_000
    for owner, name, is_org in REPOS:
        next_id += rng.randint(10_000, 9_000_000)
        full = f"{owner}/{name}"
        repos.append({
            "id": next_id,
            "name": full,
            "short": name,
            "org": {"id": org_ids[owner], "login": owner, "url": f"{API}/orgs/{owner}"} if is_org else None,
            # Zipf-like popularity: the first repositories see far more traffic.
            "weight": 1.0 / (1 + len(repos)) ** 0.9,
            "next_number": rng.randint(20, 3000),
            "open_prs": [],
            "open_issues": [],
            "branches": [],
            "version": [rng.randint(0, 3), rng.randint(0, 20), rng.randint(0, 9)],
        })
    return repos


def actor_obj(person, ts):
    login = person["login"]
    if login == RENAMED_FROM and ts >= RENAME_AT:
        login = RENAMED_TO
    return {"id": person["id"], "login": login, "url": f"{API}/users/{login}"}


def push_payload(repo, actor_login, is_bot):
    size = rng.choice([1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 9, 24]) if not is_bot else 1
    distinct = size if rng.random() < 0.85 else rng.randint(0, size)
    if repo["branches"] and rng.random() < 0.45:
        branch = rng.choice(repo["branches"])
    else:
        branch = "gh-pages" if actor_login == "github-actions[bot]" and rng.random() < 0.5 else "main"
    commits = []
    # GH Archive lists at most 20 commits per push even when size is larger.
    for i in range(min(size, 20)):
        commits.append({
            "sha": sha(),
            "author": {"name": actor_login},
            "message": phrase(),
            "distinct": i >= size - distinct,
        })
    return {
        "repository_id": repo["id"],
        "push_id": rng.randint(18_000_000_000, 18_999_999_999),
        "size": size,
        "distinct_size": distinct,
        "ref": f"refs/heads/{branch}",
        "head": commits[-1]["sha"],
        "before": sha(),
        "commits": commits,
    }


def pull_request_payload(repo, actor_login, is_bot):
    if is_bot or not repo["open_prs"] or rng.random() < 0.45:
        action = "opened"
    else:
        action = rng.choice(["closed", "closed", "closed", "reopened"])
    if action == "opened":
        number = repo["next_number"]
        repo["next_number"] += 1
        repo["open_prs"].append(number)
        title = f"Bump {rng.choice(WORDS)} from 1.{rng.randint(0, 9)} to 1.{rng.randint(10, 19)}" if is_bot else phrase().capitalize()
    else:
        number = rng.choice(repo["open_prs"])
        if action == "closed":
            repo["open_prs"].remove(number)
        title = phrase().capitalize()
    merged = action == "closed" and rng.random() < 0.7
    return {
        "action": action,
        "number": number,
        "pull_request": {
            "id": rng.randint(1_800_000_000, 1_999_999_999),
            "number": number,
            "title": title,
            "state": "closed" if action == "closed" else "open",
            "merged": merged,
            "user": {"login": actor_login},
            "additions": rng.randint(0, 400),
            "deletions": rng.randint(0, 200),
            "changed_files": rng.randint(1, 25),
        },
    }


def review_payload(repo):
    number = rng.choice(repo["open_prs"]) if repo["open_prs"] else repo["next_number"] - 1
    return {
        "action": "created",
        "review": {
            "id": rng.randint(2_000_000_000, 2_199_999_999),
            "state": weighted([("approved", 5), ("commented", 4), ("changes_requested", 2)]),
        },
        "pull_request": {"number": number},
    }


def issues_payload(repo):
    if not repo["open_issues"] or rng.random() < 0.6:
        action = "opened"
        number = repo["next_number"]
        repo["next_number"] += 1
        repo["open_issues"].append(number)
    else:
        action = rng.choice(["closed", "closed", "reopened"])
        number = rng.choice(repo["open_issues"])
        if action == "closed":
            repo["open_issues"].remove(number)
    return {
        "action": action,
        "issue": {
            "id": rng.randint(2_300_000_000, 2_399_999_999),
            "number": number,
            "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(['fails', 'is slow', 'breaks', 'needs docs', 'crashes'])} on {rng.choice(WORDS)}",
            "state": "closed" if action == "closed" else "open",
            "comments": rng.randint(0, 12),
        },
    }


def issue_comment_payload(repo):
    pool = repo["open_issues"] + repo["open_prs"]
    number = rng.choice(pool) if pool else max(1, repo["next_number"] - rng.randint(1, 50))
    return {
        "action": "created",
        "issue": {"number": number, "title": phrase().capitalize()},
        "comment": {
            "id": rng.randint(2_100_000_000, 2_199_999_999),
            "body": rng.choice(["LGTM", "Thanks!", "Can you add a test?", "Reproduced on main.",
                                "Closing as duplicate.", "Any update on this?", "Fixed in the next release."]),
        },
    }


def create_payload(repo, is_bot):
    ref_type = weighted([("branch", 8), ("tag", 2), ("repository", 0.3)])
    if ref_type == "branch":
        ref = f"dependabot/{rng.choice(WORDS)}-{rng.randint(1, 999)}" if is_bot else f"{rng.choice(BRANCH_PREFIXES)}/{rng.choice(WORDS)}-{rng.randint(1, 999)}"
        repo["branches"].append(ref)
    elif ref_type == "tag":
        repo["version"][2] += 1
        ref = "v%d.%d.%d" % tuple(repo["version"])
    else:
        ref = None
    return {"ref": ref, "ref_type": ref_type, "master_branch": "main",
            "description": f"{repo['short']} - {rng.choice(WORDS)} toolkit", "pusher_type": "user"}


def delete_payload(repo):
    if repo["branches"] and rng.random() < 0.9:
        ref = repo["branches"].pop(rng.randrange(len(repo["branches"])))
        ref_type = "branch"
    else:
        ref = f"{rng.choice(BRANCH_PREFIXES)}/{rng.choice(WORDS)}-{rng.randint(1, 999)}"
        ref_type = "branch" if rng.random() < 0.8 else "tag"
    return {"ref": ref, "ref_type": ref_type, "pusher_type": "user"}


def release_payload(repo):
    repo["version"][2] += 1
    tag = "v%d.%d.%d" % tuple(repo["version"])
    prerelease = rng.random() < 0.2
    if prerelease:
        tag += f"-rc.{rng.randint(1, 3)}"
    return {
        "action": "published",
        "release": {"id": rng.randint(150_000_000, 159_999_999), "tag_name": tag,
                    "name": f"{repo['short']} {tag}", "prerelease": prerelease, "draft": False},
    }


def main():
    people = build_people()
    repos = build_repos()
    bots = [{"id": i, "login": login} for login, i in BOTS]
    # A few very active people, a long tail of occasional ones (in shuffled order,
    # so activity does not follow the alphabet).
    rng.shuffle(people)
    person_weights = [(p, 1.0 / (1 + i) ** 0.8) for i, p in enumerate(people)]
    repo_weights = [(r, r["weight"]) for r in repos]

    stamps = []
    for day in range(DAYS):
        count = int(EVENTS_PER_WEEKDAY * DAY_WEIGHTS[day])
        for _ in range(count):
            hour = weighted(list(enumerate(HOUR_WEIGHTS)))
            stamps.append(START + timedelta(days=day, hours=hour, seconds=rng.randrange(3600)))
    stamps.sort()

    rows = []
    event_id = 38_900_000_000
    for ts in stamps:
        event_id += rng.randint(1, 60)
        etype = weighted(EVENT_WEIGHTS)
        repo = weighted(repo_weights)
        personal = repo["org"] is None

        is_bot = etype in ("PushEvent", "PullRequestEvent", "CreateEvent", "DeleteEvent", "IssueCommentEvent") and rng.random() < 0.15
        if is_bot:
            if etype == "IssueCommentEvent":
                person = bots[3]  # codecov comments on pull requests
            elif etype == "PushEvent":
                person = bots[1]
            else:
                person = rng.choice(bots[:3:2] if etype != "DeleteEvent" else bots[:1])
        elif personal and etype in ("PushEvent", "CreateEvent", "DeleteEvent", "ReleaseEvent", "MemberEvent", "GollumEvent", "PublicEvent"):
            owner = repo["name"].split("/")[0]
            person = next(p for p in people if p["login"] == owner)
        elif etype == "ReleaseEvent" and rng.random() < 0.5:
            person = bots[1]
            is_bot = True
        else:
            person = weighted(person_weights)
        actor = actor_obj(person, ts)
        login = actor["login"]

        if etype == "PushEvent":
            payload = push_payload(repo, login, is_bot)
        elif etype == "PullRequestEvent":
            payload = pull_request_payload(repo, login, is_bot)
        elif etype == "PullRequestReviewEvent":
            payload = review_payload(repo)
        elif etype == "IssuesEvent":
            payload = issues_payload(repo)
        elif etype == "IssueCommentEvent":
            payload = issue_comment_payload(repo)
        elif etype == "WatchEvent":
            payload = {"action": "started"}
        elif etype == "ForkEvent":
            payload = {"forkee": {"id": rng.randint(800_000_000, 899_999_999),
                                  "full_name": f"{login}/{repo['short']}", "public": True}}
        elif etype == "CreateEvent":
            payload = create_payload(repo, is_bot)
        elif etype == "DeleteEvent":
            payload = delete_payload(repo)
        elif etype == "ReleaseEvent":
            payload = release_payload(repo)
        elif etype == "MemberEvent":
            member = weighted(person_weights)
            payload = {"action": "added", "member": {"id": member["id"], "login": member["login"]}}
        elif etype == "GollumEvent":
            payload = {"pages": [{"page_name": rng.choice(WORDS).capitalize(), "title": phrase().capitalize(),
                                  "action": rng.choice(["created", "edited", "edited"]), "sha": sha()}]}
        else:  # PublicEvent
            payload = {}

        # GH Archive publishes an hourly file shortly after the hour closes; a
        # small share of events is re-delivered one to three days later.
        if rng.random() < 0.015:
            loaded = ts + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 12), minutes=rng.randint(0, 59))
        else:
            loaded = ts.replace(minute=0, second=0) + timedelta(hours=1, minutes=rng.randint(5, 40), seconds=rng.randrange(60))

        rows.append([
            str(event_id),
            etype,
            dumps(actor),
            dumps({"id": repo["id"], "name": repo["name"], "url": f"{API}/repos/{repo['name']}"}),
            dumps(repo["org"]) if repo["org"] else "",
            dumps(payload),
            "true",
            fmt(ts),
            fmt(loaded),
        ])

    SEEDS.mkdir(exist_ok=True)
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "type", "actor", "repo", "org", "payload", "public", "created_at", "load_timestamp"])
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT.relative_to(SEEDS.parent)}")


if __name__ == "__main__":
    main()
