"""The app's first prose against raw llama.cpp's first token on the same prompt (issue 12).

Starts the Gradio app (`app.py`) with the default local backend on a fresh index, in a real
headless Chromium; waits until the app has loaded the model and evaluated the prompt's fixed
prefix (its process goes idle); asks each typical question as the first questions after start;
and records, in the page, when the answer's first line of prose appears and when the answer
stops changing. Then, in this process and after the app is stopped, a raw `llama_cpp.Llama` on
the same GGUF (loaded before timing, empty cache) streams a reply to the same prompt (the
messages the app's chain builds for that question): its time to the first token is the
baseline. Screenshots of each answer go to --shots.

    .venv/bin/python bench/bench_app.py [--shots /tmp/advisor-shots]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    PY,
    ROOT,
    ensure_bundled,
    free_port,
    load_avg,
    port_open,
    print_environment,
    ratio,
    secs,
    table,
    temp_data_dir,
)

from advisor.rag.plan_answer import EXPLAIN_TOKENS

QUESTIONS = [
    ("ja", "社外秘の設計書を要約したいです。ノートPCのGPU(8GB)があります。どのモデルがいいですか?"),
    ("en", "Which cheap API model should I use for a customer-support chatbot?"),
    ("ja", "ローカルでコード補完に使えるモデルを教えてください。RTX 4060があります。"),
]

#: one question per kind answered by a plan (issue 17's examples), ja and en
KIND_QUESTIONS = [
    ("ja", "Mistral 7BとGemma 4 E4Bの違いは?"),
    ("en", "Which is better for Japanese, Qwen3.5-9B or Llama 3.1 8B?"),
    ("en", "Can I run Llama 3.3 70B on two RTX 3090s? At what quantization and how fast?"),
    ("ja", "RTX 4060 8GBでQwen3-8Bは32kの文脈で動きますか?"),
    (
        "en",
        "How much would Claude Sonnet 5.5 cost for 3,000 requests a day of about 1,500 tokens each?",
    ),
    ("ja", "GPT-4o miniを1日5000件、1件800トークンで使うと月いくら?"),
    ("ja", "GPT-4はまだ使えますか?代わりは何?"),
    ("en", "Is Gemini 2.5 Flash still available? What replaces it?"),
]

#: the text of the chat's last answer (Gradio marks bot messages with these)
LAST_BOT = """() => {
  const all = document.querySelectorAll('#chatbot .bot, #chatbot [data-testid="bot"]');
  return all.length ? all[all.length - 1].innerText.trim() : '';
}"""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, quiet: float = 0.25, seconds: int = 3, limit: float = 600) -> float:
    """Wait until the process uses under `quiet` of a core for `seconds` in a row (a loaded
    model evaluating its prefix uses every core; the idle app, its event loop, about 6%)."""
    t0, calm, before = time.monotonic(), 0, cpu_seconds(pid)
    while time.monotonic() - t0 < limit:
        time.sleep(1)
        now = cpu_seconds(pid)
        calm = calm + 1 if now - before < quiet else 0
        before = now
        if calm >= seconds:
            break
    return time.monotonic() - t0


def app_runs(
    data: Path, shots: Path, bundled: str, questions: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {
        **os.environ,
        "ADVISOR_PATHS__DATA_DIR": str(data),
        "ADVISOR_UI__PORT": str(port),
        "ADVISOR_LLM__MODE": "llamacpp",
        "ADVISOR_LLM__LLAMACPP__BUNDLED": bundled,
    }
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(PY), "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    out: list[dict[str, Any]] = []
    try:
        while not port_open(port):
            if proc.poll() is not None:
                raise SystemExit(f"the app exited: {proc.stderr.read().decode()[-400:]}")  # type: ignore[union-attr]
            time.sleep(0.2)
        log(f"app listening after {time.monotonic() - started:.1f} s; waiting for its warm-up")
        idle = wait_idle(proc.pid)
        log(f"app idle (model loaded, prefix evaluated) after {time.monotonic() - started:.1f} s")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(  # Debian's chromium, as the browser tests use
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run"],
            )
            for i, (lang, question) in enumerate(questions):
                # a new session per question (an empty chat), the same warm app
                ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = ctx.new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_selector("#ask textarea", timeout=60_000)
                page.fill("#ask textarea", question)
                t_submit = time.monotonic()
                page.click("#send")
                first = last = None
                text = status = ""
                still = time.monotonic()  # the last change of the chat or the status line
                while (
                    time.monotonic() - t_submit < 300
                ):  # polled every 0.25 s (the page shares 2 cores)
                    now_text = page.evaluate(LAST_BOT)
                    now_status = page.inner_text("#status")
                    now = time.monotonic()
                    if now_status != status:
                        status, still = now_status, now
                    if now_text != text:
                        text, last, still = now_text, now, now
                        if first is None and text:
                            first = now
                            page.screenshot(path=str(shots / f"app-q{i + 1}-first-prose.png"))
                    if first is not None and now - still > 1 and not status.rstrip().endswith("…"):
                        break  # the status line no longer says '…' (still coming), and is settled
                    time.sleep(0.25)
                if first is None or last is None:
                    raise SystemExit(f"q{i + 1}: no answer in 300 s")
                page.screenshot(path=str(shots / f"app-q{i + 1}-answer.png"), full_page=True)
                out.append(
                    {
                        "lang": lang,
                        "question": question,
                        "first_prose": first - t_submit,
                        "done": last - t_submit,
                        "status": page.inner_text("#status").strip(),
                        "answer": page.inner_text("#chatbot").strip()[-600:],
                    }
                )
                log(
                    f"q{i + 1}: first prose {out[-1]['first_prose']:.1f} s, "
                    f"done {out[-1]['done']:.1f} s"
                )
                ctx.close()
            browser.close()
        out.append({"warm_wait": idle})
    finally:
        proc.terminate()
        proc.wait(20)
    return out


def raw_first_token(
    data: Path,
    bundled: str,
    questions: list[tuple[str, str]],
    full: bool = False,
    counts: list[int] | None = None,
) -> list[dict[str, Any]]:
    """Raw llama.cpp on the same prompts: a fresh object (loaded before timing), empty cache."""
    import llama_cpp

    from advisor.services import Advisor
    from advisor.settings import load_settings

    settings = load_settings(
        paths={"data_dir": data}, llm={"mode": "llamacpp", "llamacpp": {"bundled": bundled}}
    )
    adv = Advisor(settings)
    chain = adv.chain("extractive")  # prompts only: the model is loaded below, raw
    cfg = settings.llm.llamacpp
    from advisor.sources.bundled import BUNDLED

    path = data / "models" / BUNDLED[cfg.bundled].filename
    rows: list[dict[str, Any]] = []
    for lang, question in questions:
        messages = chain.prepare(question).messages
        llm = llama_cpp.Llama(
            model_path=str(path),
            n_ctx=cfg.n_ctx,
            n_threads=cfg.n_threads,
            n_threads_batch=cfg.n_threads,
            verbose=False,
            seed=0,
        )
        t0 = time.perf_counter()
        first = None
        n = 0
        # as many tokens as the app wrote (its status line counts them), the end of turn
        # suppressed so that raw writes no fewer: the same answer length on both sides
        count = counts[len(rows)] if counts else None
        ends = {llm.token_eos(), *llm.tokenize(b"<|im_end|>", add_bos=False, special=True)}
        stream: Any = llm.create_chat_completion(
            messages=messages,  # type: ignore[arg-type]
            max_tokens=count or (EXPLAIN_TOKENS if full else 16),
            logit_bias={t: -100.0 for t in ends} if count else None,
            # the app's sampling, so that both sides write the same answer's length
            temperature=settings.llm.temperature,
            repeat_penalty=1.1,
            seed=cfg.seed,
            stream=True,
        )
        for part in stream:
            if part["choices"][0]["delta"].get("content") and first is None:
                first = time.perf_counter() - t0
            n += 1
        done = time.perf_counter() - t0
        prompt_tokens = int(llm.n_tokens) - max(n - 2, 0)
        rows.append(
            {
                "lang": lang,
                "first_token": first or 0.0,
                "prompt_tokens": prompt_tokens,
                "done": done,
                "tokens": n,
            }
        )
        log(
            f"raw ({lang}): first token {rows[-1]['first_token']:.2f} s, prompt {prompt_tokens}, "
            f"{n} tokens in {done:.2f} s"
        )
        del llm
    return rows


def _tokens(status: str) -> int:
    """The tokens the app wrote, from its status line ('… — 6.9 s, 119 tok, 19.9 tok/s')."""
    import re

    m = re.search(r"(\d+) tok\b", status)
    return int(m.group(1)) if m else EXPLAIN_TOKENS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--shots", type=Path, default=Path("/tmp/advisor-shots"))
    parser.add_argument("--bundled", default=None, help="bundled model (default: the settings')")
    parser.add_argument(
        "--kinds", action="store_true", help="questions answered by a plan (compare, fit, ...)"
    )
    args = parser.parse_args()
    questions = KIND_QUESTIONS if args.kinds else QUESTIONS
    args.shots.mkdir(parents=True, exist_ok=True)
    print_environment("bench_app: the app's first prose vs raw llama.cpp's first token")
    from advisor.services import Advisor
    from advisor.settings import load_settings

    bundled = args.bundled or load_settings().llm.llamacpp.bundled
    ensure_bundled(bundled)
    print(f"model: bundled {bundled}")
    with temp_data_dir(with_models=True) as data:
        log("building the index in a temp dir")
        Advisor(load_settings(paths={"data_dir": data}, llm={"mode": "extractive"})).build_index()
        app = app_runs(data, args.shots, bundled, questions)
        counts = [_tokens(a["status"]) for a in app[:-1]] if args.kinds else None
        raw = raw_first_token(data, bundled, questions, full=args.kinds, counts=counts)
    warm = app.pop()["warm_wait"]
    print(f"\napp: model loaded and prefix evaluated {warm:.0f} s after the port opened\n")
    rows = []
    for i, (a, r) in enumerate(zip(app, raw, strict=True)):
        rows.append(
            [
                f"q{i + 1} ({a['lang']})",
                secs(a["first_prose"]),
                secs(a["done"]),
                r["prompt_tokens"],
                secs(r["first_token"]),
                ratio(a["first_prose"], r["first_token"]),
                "yes" if a["first_prose"] <= 1.5 * r["first_token"] else "NO",
                f"{secs(r['done'])} ({r['tokens']} tok)" if args.kinds else "-",
                ratio(a["done"], r["done"]) if args.kinds else "-",
            ]
        )
    table(
        [
            "question",
            "app: first prose",
            "app: answer done",
            "raw: prompt tokens",
            "raw: first token",
            "app / raw",
            "<= 1.5x",
            "raw: as many tokens, done" if args.kinds else "raw: done",
            "app done / raw done",
        ],
        rows,
    )
    for i, a in enumerate(app):
        print(f"\nq{i + 1} status line: {a['status']}\nq{i + 1} answer (end): {a['answer']!r}")
    print(f"\nscreenshots: {args.shots}/app-q*-first-prose.png, app-q*-answer.png")
    print(f"load average at end (1/5/15 min): {load_avg()}")


if __name__ == "__main__":
    main()
