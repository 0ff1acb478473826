"""Regenerate knowledge/evidence/swallow-v2.yaml from the Swallow LLM Leaderboard v2 data.

    python scripts/import_swallow.py --repo PATH          # a clone (or bare git dir) of
                                                          # github.com/swallow-llm/leaderboard
    python scripts/import_swallow.py --model-yml FILE --commit SHA --date YYYY-MM-DD
    python scripts/import_swallow.py --repo PATH --check  # also list unreviewed name matches

Input: the leaderboard's `_data/model.yml` (CC BY 4.0, Swallow LLM team) and the reviewed
mapping `knowledge/evidence/swallow-v2.map.yaml` (card id -> leaderboard model id). Output:
the dataset's name, version, date, licence, attribution and URLs, and per mapped card the
leaderboard's name and its Japanese average, English average and Japanese MT-Bench score of
the post-trained evaluation, as published (0..1). Nothing else is copied.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE_DIR = ROOT / "knowledge" / "evidence"
MAP_FILE = EVIDENCE_DIR / "swallow-v2.map.yaml"
OUT_FILE = EVIDENCE_DIR / "swallow-v2.yaml"

NAME = "Swallow LLM Leaderboard v2"
PAGE = "https://swallow-llm.github.io/leaderboard/index-post.en.html"
PAGE_JA = "https://swallow-llm.github.io/leaderboard/index-post.ja.html"
ABOUT = "https://swallow-llm.github.io/leaderboard/about.en.html"
REPO_URL = "https://github.com/swallow-llm/leaderboard"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _git(repo: Path, *args: str) -> str:
    git_dir = repo / ".git" if (repo / ".git").exists() else repo
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True, text=True
    ).stdout


def read_repo(repo: Path) -> tuple[str, str, str]:
    """(model.yml text, snapshot commit, date of the last change to model.yml)."""
    text = _git(repo, "show", "HEAD:_data/model.yml")
    commit = _git(repo, "rev-parse", "HEAD").strip()
    date = _git(repo, "log", "-1", "--format=%cs", "HEAD", "--", "_data/model.yml").strip()
    return text, commit, date


def copyright_line(text: str) -> str:
    """The copyright notice of model.yml's header ('Copyright (c) 2025-2026 Swallow LLM team')."""
    for line in text.splitlines()[:10]:
        m = re.match(r"#\s*(Copyright .+)$", line.strip())
        if m:
            return m.group(1).strip()
    raise SystemExit("model.yml: no copyright line in its header; check the licence by hand")


def _avg(results: dict[str, Any], key: str) -> float | None:
    value = (results.get(key) or {}).get("avg")
    return round(float(value), 3) if isinstance(value, int | float) else None


def build(model_yml: str, commit: str, date: str, mapping: dict[str, Any]) -> dict[str, Any]:
    rows = yaml.safe_load(model_yml)
    if not isinstance(rows, list):
        raise SystemExit("model.yml: expected a list of models")
    by_id = {str(r["id"]): r for r in rows if isinstance(r, dict) and "id" in r}
    post = [r for r in by_id.values() if r.get("is_post")]
    ja_all = sorted(a for r in post if (a := _avg(r.get("results") or {}, "ja_post")) is not None)
    if len(ja_all) < 10:
        raise SystemExit(f"model.yml: only {len(ja_all)} post-trained Japanese averages")
    deciles = statistics.quantiles(ja_all, n=10)
    notice = copyright_line(model_yml)
    models: dict[str, Any] = {}
    missing = []
    for card_id, entry in sorted(mapping.get("mapped", {}).items()):
        lb_id = str(entry["leaderboard"])
        row = by_id.get(lb_id)
        if row is None:
            missing.append(f"{card_id} -> {lb_id}")
            continue
        if not row.get("is_post"):
            raise SystemExit(f"{card_id}: {lb_id} is a pre-trained (base) model on the leaderboard")
        res = row.get("results") or {}
        item: dict[str, Any] = {
            "leaderboard_id": lb_id,
            "leaderboard_name": str(row.get("name", lb_id)),
            "reasoning": str(row.get("reasoning", "N/A")),
            "ja_avg": _avg(res, "ja_post"),
            "en_avg": _avg(res, "en_post"),
            "ja_mtbench": _avg(res, "ja_mtb"),
        }
        if entry.get("note"):
            item["note"] = str(entry["note"])
        models[card_id] = item
    if missing:
        raise SystemExit("not on the leaderboard any more: " + "; ".join(missing))
    attribution = (
        f"{NAME} ({PAGE}), {notice}, licensed under {LICENCE} ({LICENCE_URL}). "
        f"Averages taken from _data/model.yml at commit {commit[:12]} as published; "
        "the mapping to model cards and the levels derived from them are this project's."
    )
    return {
        "dataset": {
            "name": NAME,
            "version": commit,
            "date": date,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "copyright": notice,
            "attribution": attribution,
            "page": PAGE,
            "page_ja": PAGE_JA,
            "about": ABOUT,
            "data": f"{REPO_URL}/blob/{commit}/_data/model.yml",
            "post_trained_models": len(post),
            "ja_avg_deciles": [round(q, 3) for q in deciles],
        },
        "models": models,
    }


HEADER = """\
# Generated by scripts/import_swallow.py from the Swallow LLM Leaderboard v2 data
# (_data/model.yml) and the reviewed mapping swallow-v2.map.yaml. Do not edit by hand:
# edit the mapping and re-run the script. Data: CC BY 4.0, Swallow LLM team (see `dataset`).
"""


def render(data: dict[str, Any]) -> str:
    return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def check(model_yml: str, mapping: dict[str, Any]) -> list[str]:
    """Cards whose id, name or alias names a post-trained leaderboard model, not yet reviewed."""
    sys.path.insert(0, str(ROOT))
    from advisor.domain.catalog import load_catalog, normalize_name

    reviewed = set(mapping.get("mapped", {})) | set(mapping.get("not_mapped", {}))
    rows = [r for r in yaml.safe_load(model_yml) if isinstance(r, dict) and r.get("is_post")]
    names: dict[str, str] = {}
    for r in rows:
        for n in (r["id"], r["id"].split("/")[-1], r.get("name", ""), r.get("model_id", "")):
            if n:
                names.setdefault(normalize_name(str(n)), str(r["id"]))
    out = []
    for card in load_catalog(ROOT / "knowledge" / "models"):
        if card.id in reviewed:
            continue
        hits = sorted(
            {
                names[k]
                for n in (card.id, card.name, *card.aliases)
                if (k := normalize_name(n)) in names
            }
        )
        if hits:
            out.append(f"{card.id}: {', '.join(hits)}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--repo", type=Path, help="clone or git dir of swallow-llm/leaderboard")
    src.add_argument("--model-yml", type=Path, help="a copy of _data/model.yml")
    ap.add_argument("--commit", help="with --model-yml: the leaderboard commit it comes from")
    ap.add_argument("--date", help="with --model-yml: date of that data (YYYY-MM-DD)")
    ap.add_argument("--map", type=Path, default=MAP_FILE)
    ap.add_argument("--out", type=Path, default=OUT_FILE)
    ap.add_argument("--check", action="store_true", help="list unreviewed name matches too")
    args = ap.parse_args(argv)
    if args.repo:
        text, commit, date = read_repo(args.repo)
    else:
        if not (args.commit and args.date):
            ap.error("--model-yml needs --commit and --date")
        text, commit, date = args.model_yml.read_text(encoding="utf-8"), args.commit, args.date
    dt.date.fromisoformat(date)
    mapping = yaml.safe_load(args.map.read_text(encoding="utf-8")) or {}
    data = build(text, commit, date, mapping)
    args.out.write_text(render(data), encoding="utf-8")
    print(f"{args.out}: {len(data['models'])} cards, data of {date} ({commit[:12]})")
    if args.check:
        unreviewed = check(text, mapping)
        for line in unreviewed:
            print(f"unreviewed: {line}")
        return 1 if unreviewed else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
