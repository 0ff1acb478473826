"""The services the CLI and the UI call. They hold no UI code; the UI and CLI hold no logic."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from advisor.domain.budget import Rate
from advisor.domain.catalog import Catalog, ModelCard, load_catalog
from advisor.domain.evidence import attach as attach_evidence
from advisor.domain.glossary import Glossary, load_glossary
from advisor.domain.guide import Guide, load_guide
from advisor.domain.kinds import Reading, read_kinds
from advisor.domain.needs import Needs, clean_text
from advisor.domain.needs_rules import extract_needs
from advisor.domain.plans import Plan, PlanCtx, build_plans
from advisor.domain.recommend import Result, recommend, why_excluded
from advisor.errors import InputError
from advisor.settings import LLMSettings, Settings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from advisor.domain.needs_learned import LearnedReader
    from advisor.domain.plans.fit import FitPlan
    from advisor.rag.answer import AnswerChain
    from advisor.rag.index import Chunk, IndexReport, Store
    from advisor.rag.llm import LLM
    from advisor.rag.retrieve import Passage, Retriever
    from advisor.sources.uncurated import Uncurated


class Advisor:
    """Entry point of the core: catalog, guide and recommender, built lazily from settings."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._llm_lock = threading.Lock()

    @cached_property
    def catalog(self) -> Catalog:
        """The curated cards, with empty fields filled from maintained datasets (origin recorded)."""
        cards = load_catalog(self.settings.paths.knowledge_dir / "models")
        # benchmark evidence (knowledge/evidence) and the levels derived from it
        cards = attach_evidence(cards, self.settings.paths.knowledge_dir / "evidence")
        if not self.settings.enrich:
            return cards
        from advisor.sources.datasets import enrich

        return enrich(cards).catalog

    @cached_property
    def guide(self) -> Guide:
        return load_guide(self.settings.paths.knowledge_dir / "guide")

    @cached_property
    def glossary(self) -> Glossary:
        return load_glossary(self.settings.paths.knowledge_dir / "glossary.yaml")

    def read_question(self, text: str, needs: Needs, has_history: bool = False) -> Reading:
        """The kinds the message asks, the models and glossary terms it names (rules only)."""
        stated = bool(needs.describe() or needs.use_cases)
        return read_kinds(
            text,
            models=list(needs.models),
            terms=self.glossary.mentioned(text),
            stated=stated,
            has_history=has_history,
            hardware=needs.memory_gb is not None or needs.cpu_only,
            workload=needs.requests_per_day is not None,
            use_case=bool(needs.use_cases),
        )

    def plans(
        self, reading: Reading, needs: Needs, result: Result, previous: Needs | None = None
    ) -> list[Plan]:
        """The facts that answer each kind the reading holds, from the data."""
        from advisor.sources.gpus import gpu_bandwidth

        rate = Rate(self.settings.usd_jpy, self.settings.usd_jpy_as_of)
        ctx = PlanCtx(
            catalog=self.catalog,
            glossary=self.glossary,
            needs=needs,
            reading=reading,
            rank=lambda n, top, cat: self.recommend(n, top=top, catalog=cat),
            bandwidth=gpu_bandwidth,
            excluded=lambda card, n: why_excluded(
                card, n, self.catalog, self.settings.gpu_hourly_usd, rate=rate
            ),
            result=result,
            previous=previous,
            gpu_hourly_usd=self.settings.gpu_hourly_usd,
            rate=rate,
        )
        return build_plans(ctx)

    def fit(
        self,
        model: str,
        gpu: str | None = None,
        gpu_gb: float | None = None,
        ram_gb: float | None = None,
        context: int | None = None,
        kv_type: str = "f16",
    ) -> FitPlan:
        """`advisor fit`: the model's memory per quantisation on the stated hardware."""
        from advisor.domain.hardware import DEFAULT_CONTEXT, Hardware, lookup_gpu
        from advisor.domain.memory import KV_TYPES, KVType
        from advisor.domain.plans.fit import report
        from advisor.sources.gpus import gpu_bandwidth

        if kv_type not in KV_TYPES:
            raise InputError(f"--kv-type must be one of {', '.join(KV_TYPES)}, not {kv_type!r}")
        card = self.catalog.by_id.get(model)
        if card is None:
            named = self.catalog.mentioned(model)
            if not named:
                raise InputError(f"unknown model {model!r} (see `advisor models`)")
            card = self.catalog.by_id[named[0]]
        hw: Hardware | None = None
        if gpu:
            hw = lookup_gpu(gpu)
            if hw is None:
                raise InputError(f"unknown GPU {gpu!r}: give its memory with --gpu-gb instead")
        elif gpu_gb:
            hw = Hardware(f"GPU {gpu_gb:g} GB", gpu_gb, "gpu")
        elif ram_gb:
            hw = Hardware(f"CPU, {ram_gb:g} GB RAM", ram_gb, "cpu")
        if not card.runs_locally or card.params_b is None:
            raise InputError(f"{card.name} has no open weights to run locally (API only)")
        bandwidth = gpu_bandwidth(hw.name) if hw is not None and hw.kind != "cpu" else None
        return report(
            card,
            hw,
            context or DEFAULT_CONTEXT,
            kv_type=cast(KVType, kv_type),
            ram_gb=ram_gb if hw is not None and hw.kind != "cpu" else None,
            bandwidth_gb_s=bandwidth,
            context_stated=context is not None,
        )

    def needs(self, text: str, previous: Needs | None = None, **overrides: Any) -> Needs:
        """Needs from free text (validated), merged over a previous turn's, with explicit overrides."""
        text = clean_text(text, self.settings.max_input_chars)
        needs = extract_needs(text, self.catalog.mentioned(text))
        if self.settings.learned_needs:
            needs = self.read_needs_combined(text, needs)
        if previous is not None:
            needs = previous.merged(needs)
        return apply_overrides(needs, overrides)

    def correct_data(self, needs: Needs, choice: str, top: int = 5) -> tuple[Needs, Result]:
        """A person's correction of where data may go (data_reading's choices), ranked again."""
        from advisor.domain import data_reading

        fixed = data_reading.apply(needs, choice)
        return fixed, self.recommend(fixed, top=top)

    @cached_property
    def learned_reader(self) -> LearnedReader | None:
        """The second needs reader, trained (or loaded from data/cache) once per advisor; None
        without the labelled sets or scikit-learn (the rules then read alone)."""
        from advisor.domain.needs_learned import TRAIN_SETS, reader

        eval_dir = self.settings.paths.knowledge_dir / "eval"
        if not all((eval_dir / f"{name}.yaml").is_file() for name in TRAIN_SETS):
            return None
        try:
            return reader(eval_dir, self.settings.paths.data_dir / "cache")
        except ImportError:  # scikit-learn comes with the rag extra
            return None

    def read_needs_combined(self, text: str, rules: Needs | None = None) -> Needs:
        """The rules' reading, with the learned reader's confident and private readings."""
        from advisor.domain.needs_learned import combine

        rules = rules if rules is not None else self.read_needs_rules(text)
        learned = self.learned_reader
        return rules if learned is None else combine(rules, learned.read(text))

    def read_needs_rules(self, text: str) -> Needs:
        """The rules' reading alone (no LLM), as the needs evaluation measures it."""
        return extract_needs(text, self.catalog.mentioned(text))

    def recommend(self, needs: Needs, top: int = 5, catalog: Catalog | None = None) -> Result:
        """Rank `catalog` (default: the whole catalog) for `needs`, with the settings' cost
        assumptions, the GPU's bandwidth and today's date."""
        from advisor.sources.gpus import gpu_bandwidth

        return recommend(
            needs,
            catalog if catalog is not None else self.catalog,
            top,
            self.settings.gpu_hourly_usd,
            bandwidth_gb_s=gpu_bandwidth(needs.gpu_name),
            rate=Rate(self.settings.usd_jpy, self.settings.usd_jpy_as_of),
        )

    def uncurated(self, needs: Needs, k: int = 3) -> tuple[list[Uncurated], str | None]:
        """Open-weight models beyond the catalog (llmfit), kept apart from the curated shortlist."""
        from advisor.sources.uncurated import candidates

        return candidates(needs, self.catalog, k)

    def card(self, model_id: str) -> ModelCard:
        return self.catalog.get(model_id)

    # --- index and retrieval (heavy imports stay inside) ---

    @cached_property
    def embedder(self) -> Embeddings:
        from advisor.rag.embeddings import make_embedder

        return make_embedder(self.settings.embedding)

    @cached_property
    def chunks(self) -> list[Chunk]:
        from advisor.rag.index import all_chunks

        return all_chunks(self.guide, self.catalog, self.glossary)

    @cached_property
    def store(self) -> Store:
        from advisor.rag.index import Store

        return Store(self.settings, self.embedder)

    def build_index(
        self, rebuild: bool = False, progress: Callable[[int, int], None] | None = None
    ) -> IndexReport:
        report = self.store.refresh(self.chunks, rebuild=rebuild, progress=progress)
        self._once.extend(m for m in report.notices if m not in self._once)
        return report

    def note(self, message: str) -> None:
        """Add a lasting notice once (a backend retried on every turn must not repeat it)."""
        if message not in self.notices:
            self.notices.append(message)

    def take_notices(self) -> list[str]:
        """The lasting notices, plus one-off ones (an index rebuilt) that are then cleared."""
        out = [*self.notices, *self._once]
        self._once.clear()
        return out

    @cached_property
    def _once(self) -> list[str]:
        return []

    @cached_property
    def notices(self) -> list[str]:
        """Lasting things the user should know (a backend that fell back); shown by CLI and UI."""
        return []

    @cached_property
    def retriever(self) -> Retriever:
        """Builds (or refreshes) the index on first use."""
        from advisor.rag.retrieve import Retriever

        self.build_index()
        return Retriever(self.chunks, self.store, self.embedder, self.catalog)

    def llm(self, mode: str | None = None) -> LLM:
        """The configured backend, built once per mode; if it cannot start, the offline one
        with a notice naming the cause."""
        from advisor.errors import BackendError
        from advisor.rag.llm import Extractive, make_llm

        mode = mode or self.settings.llm.mode
        with self._llm_lock:  # a `preload` under way: wait for it rather than load twice
            if mode not in self._llms:
                try:
                    self._llms[mode] = make_llm(self.settings, mode)
                except BackendError as exc:
                    self.note(f"{mode} backend unavailable ({exc}); answering offline")
                    return Extractive()
            return self._llms[mode]

    def preload(self, mode: str | None = None) -> None:
        """Build the backend in the background (a local model loads from disk while the caller
        opens the index and the embedder); `llm(mode)` then waits for it."""
        threading.Thread(
            target=self.llm, args=(mode,), name="advisor-llm-load", daemon=True
        ).start()

    def open_retrieval(self) -> None:
        """Open the index, load the embedder and the learned needs reader now, not at the first
        question."""
        _ = self.retriever
        self.embedder.embed_query("-")
        if self.settings.learned_needs:
            _ = self.learned_reader

    @cached_property
    def _llms(self) -> dict[str, LLM]:
        return {}

    def use_llm_settings(self, llm: LLMSettings) -> None:
        """New answer-backend settings (the UI's settings tab): backends are rebuilt on next use
        and the old notices go."""
        self.settings = self.settings.model_copy(update={"llm": llm})
        self.notices.clear()
        self._llms.clear()

    def chain(self, mode: str | None = None) -> AnswerChain:
        from advisor.rag.answer import AnswerChain

        return AnswerChain(self, self.llm(mode))

    def passage(self, source_id: str) -> Passage | None:
        """One indexed chunk by its id (e.g. a card's 'models/<id>#ja'), or None."""
        from advisor.rag.retrieve import Passage

        chunk = self.retriever.by_id.get(source_id)
        return Passage(chunk, 0.0) if chunk is not None else None

    def retrieve(self, query: str, k: int = 5) -> list[Passage]:
        query = clean_text(query, self.settings.max_input_chars)
        return self.retriever.search(query, k)


def apply_overrides(needs: Needs, overrides: dict[str, Any]) -> Needs:
    """Explicit choices (CLI flags, UI edits) win over what was extracted."""
    fields = {k: v for k, v in overrides.items() if v is not None}
    if not fields:
        return needs
    data = needs.model_dump(exclude={"unknown"})
    data.update(fields)
    if "gpu_gb" in fields:
        data.setdefault("gpu_kind", "gpu")
        data["gpu_name"] = data.get("gpu_name") or f"GPU {fields['gpu_gb']:g} GB"
        data["cpu_only"] = False
    return Needs.model_validate(data)
