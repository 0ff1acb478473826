"""Monthly cost estimates from a stated workload: API price vs self-hosting on a rented GPU."""

from __future__ import annotations

import math

from pydantic import BaseModel

from advisor.domain.catalog import ModelCard

DAYS_PER_MONTH = 30


class Workload(BaseModel):
    requests_per_day: float
    input_tokens: float = 1000
    output_tokens: float = 300

    @property
    def monthly_tokens(self) -> tuple[float, float]:
        n = self.requests_per_day * DAYS_PER_MONTH
        return n * self.input_tokens, n * self.output_tokens


class CostEstimate(BaseModel):
    api_usd_per_month: float | None = None
    self_host_usd_per_month: float | None = None
    gpus: int | None = None
    basis: str


def estimate(
    card: ModelCard,
    work: Workload,
    gpu_hourly_usd: float,
    gpu_memory_gb: float = 80.0,
    q4_memory_gb: float | None = None,
) -> CostEstimate:
    """API: tokens x list price. Self-hosting: GPUs (at the assumed hourly price, always on) that
    hold the model at Q4; throughput limits are not modelled (an assumption, stated in `basis`)."""
    tin, tout = work.monthly_tokens
    api = None
    if card.price_per_mtok is not None and card.via_api:
        api = round(
            tin / 1e6 * card.price_per_mtok.input + tout / 1e6 * card.price_per_mtok.output, 2
        )
    host = gpus = None
    if card.runs_locally and q4_memory_gb:
        gpus = max(1, math.ceil(q4_memory_gb / gpu_memory_gb))
        host = round(gpus * gpu_hourly_usd * 24 * DAYS_PER_MONTH, 2)
    basis = (
        f"{work.requests_per_day:g} requests/day x ({work.input_tokens:g} in + {work.output_tokens:g} out) "
        f"tokens, {DAYS_PER_MONTH} days; self-hosting assumes ${gpu_hourly_usd:g}/h per "
        f"{gpu_memory_gb:g} GB GPU, always on (settings.gpu_hourly_usd)"
    )
    return CostEstimate(api_usd_per_month=api, self_host_usd_per_month=host, gpus=gpus, basis=basis)
