"""The project's hybrid retriever and answer chain next to a plain LangChain RAG baseline.

    .venv/bin/python bench/bench_baseline.py [--answers N] [--max-tokens 160] [--passes 2]

Baseline: the same chunks (advisor.rag.index.all_chunks), dense vectors only from the same embedder
(use-multilingual) in LangChain's InMemoryVectorStore (exact cosine search), top-4 stuffed into
one prompt (ChatPromptTemplate) for the same local model object. Quality: recall@5 (and MRR,
hit@5) per language on knowledge/eval/retrieval.yaml through advisor.evaluate.retrieval_metrics,
the project's hybrid retriever measured in the same run. Speed: retrieval latency per query.
Optionally (--answers 1..3) a few generated answers from both, timed and checked for model
names that are not in the catalog and parameter counts that contradict a card.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from _common import (
    ROOT,
    ensure_bundled,
    llama_of,
    load_avg,
    median,
    ms,
    percentile,
    print_environment,
    ratio,
    secs,
    table,
    temp_data_dir,
    timed,
)

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable
    from langchain_core.vectorstores import InMemoryVectorStore

    from advisor.services import Advisor

ANSWER_QUESTIONS = [
    ("en", "Which open model should I run locally for code completion on a 12 GB GPU?"),
    ("ja", "社外秘の設計書を要約したいです。RTX 4090が1枚あります。どのモデルを使えばいいですか?"),
    ("ja", "Mistral 7Bのライセンスは何ですか?商用利用できますか?"),
]
BASELINE_SYSTEM = (
    "You are a helpful assistant that helps people choose a large language model. "
    "Answer the question using only the context below. If the context does not contain the "
    "answer, say so. Answer in the language of the question, in 3 to 6 sentences."
)
REPEAT_PENALTY = 1.1  # as advisor/rag/llm.py passes it


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def build_baseline(adv: Advisor) -> tuple[InMemoryVectorStore, float]:
    from langchain_core.documents import Document
    from langchain_core.vectorstores import InMemoryVectorStore

    docs = [
        Document(
            page_content=c.text,
            metadata={"source_id": c.source_id, "base_id": c.base_id, "lang": c.lang},
        )
        for c in adv.chunks
    ]
    store = InMemoryVectorStore(embedding=adv.embedder)
    with timed() as t:
        store.add_documents(docs)
    return store, t.wall


def compare_retrieval(adv: Advisor, store: InMemoryVectorStore, passes: int) -> None:
    from advisor.evaluate import load_sets, retrieval_metrics

    cases, _, _ = load_sets(ROOT / "knowledge" / "eval")
    dense5 = store.as_retriever(search_kwargs={"k": 5})
    engine = adv.retriever

    searches: dict[str, Callable[[str, int], list[str]]] = {
        "project hybrid (BM25 + dense + names, RRF)": lambda q, k: [
            p.chunk.base_id for p in adv.retrieve(q, k)
        ],
        "project without dense (BM25 + names)": lambda q, k: [
            p.chunk.base_id for p in engine.search(q, k, dense=False)
        ],
        "plain LangChain dense (InMemoryVectorStore)": lambda q, k: [
            d.metadata["base_id"] for d in dense5.invoke(q)[:k]
        ],
    }
    for search in searches.values():  # one warm-up query each
        search("warm-up: どのモデルを使えばいい?", 5)

    latency: dict[str, list[float]] = {name: [] for name in searches}
    latency_last: dict[str, list[float]] = {name: [] for name in searches}
    distinct: dict[str, list[int]] = {name: [] for name in searches}
    names = list(searches)
    for p in range(passes):
        for i, case in enumerate(cases):
            order = names[(i + p) % len(names) :] + names[: (i + p) % len(names)]
            for name in order:  # rotate so no method always runs first
                with timed() as t:
                    got = searches[name](case.query, 5)
                latency[name].append(t.wall)
                if p == passes - 1:
                    latency_last[name].append(t.wall)
                    distinct[name].append(len(set(got)))

    rows = []
    for name, search in searches.items():
        m = retrieval_metrics(cases, search, k=5)
        rows.append(
            [
                name,
                f"{m['ja']['recall@5']:.3f}",
                f"{m['en']['recall@5']:.3f}",
                f"{m['ja']['mrr']:.3f} / {m['en']['mrr']:.3f}",
                f"{m['ja']['hit@5']:.3f} / {m['en']['hit@5']:.3f}",
                f"{sum(distinct[name]) / len(distinct[name]):.2f}",
                ms(median(latency[name])),
                ms(percentile(latency[name], 95)),
                ms(percentile(latency_last[name], 95)),
            ]
        )
    n_ja = sum(1 for c in cases if c.lang == "ja")
    print(
        f"## Retrieval quality and latency ({n_ja} ja + {len(cases) - n_ja} en queries of "
        f"knowledge/eval/retrieval.yaml, k=5; latency over {passes} passes)"
    )
    print()
    table(
        [
            "retriever",
            "recall@5 ja",
            "recall@5 en",
            "MRR ja / en",
            "hit@5 ja / en",
            "distinct sections in top 5",
            "median",
            "p95",
            f"p95 pass {passes}",
        ],
        rows,
    )
    base = "plain LangChain dense (InMemoryVectorStore)"
    hybrid = names[0]
    print(
        "nDCG@5 is left out: advisor.evaluate.retrieval_metrics counts an id that appears twice "
        "(a card's #ja and #en chunks) twice, so a list with duplicates can score above 1."
    )
    print(
        f"latency ratio, project hybrid / plain dense: median "
        f"{ratio(median(latency[hybrid]), median(latency[base]))}, p95 "
        f"{ratio(percentile(latency[hybrid], 95), percentile(latency[base], 95))}"
    )
    print()


def baseline_chain(
    store: InMemoryVectorStore, llm: Any, max_tokens: int, temperature: float
) -> Runnable[str, str]:
    """retriever(top-4) | stuff | prompt | local model | text: the textbook LangChain RAG."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompt_values import PromptValue
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnableLambda, RunnablePassthrough

    prompt = ChatPromptTemplate.from_messages(
        [("system", BASELINE_SYSTEM), ("human", "Context:\n{context}\n\nQuestion: {question}")]
    )
    roles = {"system": "system", "human": "user", "ai": "assistant"}

    def stuff(docs: list[Any]) -> str:
        return "\n\n".join(d.page_content for d in docs)

    def generate(value: PromptValue) -> str:
        messages = [{"role": roles[m.type], "content": str(m.content)} for m in value.to_messages()]
        out = llm.create_chat_completion(
            messages=messages,
            max_tokens=max_tokens,
            temperature=temperature,
            repeat_penalty=REPEAT_PENALTY,
        )
        return str(out["choices"][0]["message"]["content"] or "")

    retriever = store.as_retriever(search_kwargs={"k": 4})
    return (
        {"context": retriever | RunnableLambda(stuff), "question": RunnablePassthrough()}
        | prompt
        | RunnableLambda(generate)
        | StrOutputParser()
    )


def prompt_tokens(llm: Any) -> int:
    import llama_cpp

    data = llama_cpp.llama_perf_context(llm._ctx.ctx)
    return int(data.n_p_eval)


def compare_answers(adv: Advisor, store: InMemoryVectorStore, n: int, max_tokens: int) -> None:
    import llama_cpp

    from advisor.evaluate import unknown_model_mentions, wrong_figures

    chain = adv.chain("llamacpp")
    if chain.llm.name != "llamacpp":
        raise SystemExit(f"the local backend did not start: {adv.notices}")
    llm = llama_of(chain)  # the same model object for both
    plain = baseline_chain(store, llm, max_tokens, adv.settings.llm.temperature)
    rows = []
    texts = []
    for i, (lang, question) in enumerate(ANSWER_QUESTIONS[:n], 1):
        for name in ("plain LangChain RAG", "project chain"):
            log(f"answer q{i} ({lang}) with the {name}")
            llm.reset()  # no KV reuse across runs: each evaluates its whole prompt
            llama_cpp.llama_perf_context_reset(llm._ctx.ctx)
            with timed() as t:
                if name == "project chain":
                    text = chain.ask(question).answer
                else:
                    text = plain.invoke(question)
            cites = len(re.findall(r"\[(\d{1,2})\]", text))
            unknown = unknown_model_mentions(text, adv.catalog)
            wrong = wrong_figures(text, adv.catalog)
            rows.append(
                [
                    f"q{i} ({lang})",
                    name,
                    prompt_tokens(llm),
                    secs(t.wall),
                    f"{t.cpu_share:.2f}",
                    cites,
                    ", ".join(unknown) or "-",
                    ", ".join(wrong) or "-",
                ]
            )
            texts.append((f"q{i} {name}", text))
    print(
        f"## Answers, {n} question(s), same model object ({adv.settings.llm.llamacpp.bundled}), "
        f"max_tokens {max_tokens}, temperature {adv.settings.llm.temperature}"
    )
    print()
    table(
        [
            "question",
            "chain",
            "prompt tokens",
            "full answer",
            "CPU/wall",
            "[n] citations in the text",
            "model names not in the catalog",
            "parameter counts contradicting a card",
        ],
        rows,
    )
    for label, text in texts:
        flat = " ".join(text.split())
        print(f"- {label}: {flat[:240]}{'…' if len(flat) > 240 else ''}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--answers", type=int, default=2, choices=range(0, 4))
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--temperature", type=float, default=0.0)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument(
        "--bundled",
        default="qwen2.5-coder-1.5b",
        help="bundled model name (the default model unless you smoke-test the script)",
    )
    parser.add_argument("--n-ctx", type=int, default=None, help="default: the settings' n_ctx")
    args = parser.parse_args()

    print_environment("bench_baseline: project RAG vs a plain LangChain RAG baseline")
    from advisor.services import Advisor
    from advisor.settings import load_settings

    if args.answers:
        ensure_bundled(args.bundled)
    with temp_data_dir(with_models=args.answers > 0) as data:
        settings = load_settings(
            paths={"data_dir": data},
            llm={
                "mode": "llamacpp" if args.answers else "extractive",
                "temperature": args.temperature,
                "llamacpp": {
                    "bundled": args.bundled,
                    "max_tokens": args.max_tokens,
                    **({"n_ctx": args.n_ctx} if args.n_ctx else {}),
                },
            },
        )
        adv = Advisor(settings)
        log("building the project's index (Chroma) and the baseline's (InMemoryVectorStore)")
        adv.embedder.embed_query("load the model")  # both builds then start from a loaded model
        with timed() as project_build:
            adv.build_index()
        store, baseline_build = build_baseline(adv)
        print(
            f"index build over the same {len(adv.chunks)} chunks: project (Chroma, hashes) "
            f"{secs(project_build.wall)}, baseline (InMemoryVectorStore.add_documents) "
            f"{secs(baseline_build)}; ratio {ratio(project_build.wall, baseline_build)}"
        )
        print()
        compare_retrieval(adv, store, args.passes)
        if args.answers:
            compare_answers(adv, store, args.answers, args.max_tokens)
    print(f"load average at end (1/5/15 min): {load_avg()}")


if __name__ == "__main__":
    main()
