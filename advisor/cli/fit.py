"""`advisor fit MODEL`: does it run, at which quantisation, with how much headroom and how fast."""

from __future__ import annotations

from typing import Annotated

import typer

from advisor.cli.base import _advisor, _emit_json, app, out
from advisor.errors import InputError


@app.command()
def fit(
    model: Annotated[
        str, typer.Argument(help="a card id or name, e.g. llama-3.3-70b or 'Qwen3 8B'")
    ],
    gpu: Annotated[
        str | None, typer.Option(help="GPU by name: 'RTX 4090', '2x RTX 3090', 'M2 Max 64GB'")
    ] = None,
    gpu_gb: Annotated[
        float | None, typer.Option("--gpu-gb", min=0.5, max=4096, help="GPU memory in GB")
    ] = None,
    ram_gb: Annotated[
        float | None,
        typer.Option(
            "--ram-gb", min=0.5, max=8192, help="system RAM (CPU only, or partial offload)"
        ),
    ] = None,
    context: Annotated[
        int | None, typer.Option(min=256, max=10_000_000, help="tokens of context (default 4096)")
    ] = None,
    kv_type: Annotated[
        str, typer.Option("--kv-type", help="KV cache type: f16, q8_0 or q4_0")
    ] = "f16",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    lang: Annotated[str, typer.Option(help="output language: ja or en")] = "en",
) -> None:
    """Memory per quantisation (weights, KV cache, overhead) from the model's architecture, at the
    stated context, against the stated hardware; the largest context that fits; speed."""
    if gpu and gpu_gb:
        raise InputError("give --gpu or --gpu-gb, not both")
    if lang not in ("ja", "en"):
        raise InputError(f"--lang must be 'ja' or 'en', not {lang!r}")
    adv = _advisor()
    plan = adv.fit(model, gpu=gpu, gpu_gb=gpu_gb, ram_gb=ram_gb, context=context, kv_type=kv_type)
    if as_json:
        _emit_json(plan.model_dump(mode="json", exclude={"kind", "sources"}))
        return
    from advisor.present.plan_tables import fit as fit_text

    for line in fit_text(plan.model_dump(mode="json"), lang, lambda _: ""):
        out.print(line, markup=False, highlight=False)
