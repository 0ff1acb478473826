"""`advisor data status` and `advisor data check`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from advisor.errors import InputError

if TYPE_CHECKING:
    pass

from advisor.cli.base import _advisor, _emit_json, app, out

# --- data ---------------------------------------------------------------------------------------

data_app = typer.Typer(
    help="The maintained datasets the catalog stands on (offline).", no_args_is_help=True
)
app.add_typer(data_app, name="data")


@data_app.command("status")
def data_status(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Each dataset's version, pinned version and data date, and the catalog's as-of dates."""
    from advisor.sources.datasets import status

    adv = _advisor()
    info = status(adv.catalog, adv.settings.paths.data_dir)
    if as_json:
        _emit_json(info)
        return
    for name, fields in info.items():
        out.print(
            f"[bold]{name}[/]: "
            + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in fields.items() if v is not None),
            highlight=False,
        )


@data_app.command("check")
def data_check(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    today: Annotated[
        str | None, typer.Option("--today", help="YYYY-MM-DD (default: today)")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="rows per list in the text output")] = 40,
) -> None:
    """Is the catalog current? Models the datasets know and the catalog lacks, cards the datasets
    mark deprecated, cards not checked for 90 days; what the datasets filled and where they
    disagree with the cards or with each other."""
    import datetime as dt

    from advisor.domain.catalog import load_catalog
    from advisor.sources.datasets import enrich
    from advisor.sources.freshness import STALE_DAYS, check, load_not_carded

    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise InputError(f"--today must be YYYY-MM-DD, not {today!r}") from None
    adv = _advisor()
    knowledge, data_dir = adv.settings.paths.knowledge_dir, adv.settings.paths.data_dir
    report = enrich(load_catalog(knowledge / "models"), data_dir)
    fresh = check(report.catalog, load_not_carded(knowledge / "not-carded.yaml"), data_dir, day)
    if as_json:
        _emit_json(
            {
                "mapped": report.mapped,
                "mapped_by": report.mapped_by,
                "filled": report.filled,
                "disagreements": [d.__dict__ for d in report.disagreements],
                "dataset_conflicts": [c.__dict__ for c in report.conflicts],
                **fresh.to_json(),
            }
        )
        return

    def line(text: str) -> None:
        out.print(text, highlight=False, markup=False)

    line(
        "datasets: "
        + ", ".join(f"{k} (data {v or 'not available'})" for k, v in fresh.datasets.items())
    )
    newer = fresh.uncarded_newer
    line(
        f"\n(a) uncarded models of tracked vendors: {len(fresh.uncarded)}, of which {len(newer)} "
        f"newer than the vendor's newest card; {len(fresh.reviewed)} more reviewed in "
        "knowledge/not-carded.yaml"
    )
    for u in fresh.uncarded[:limit]:
        mark = "NEW " if u.newer else "    "
        when = str(u.released) if u.released else "----------"
        name = f" ({u.name})" if u.name and u.name != u.id else ""
        snaps = f" +{len(u.snapshots)} snapshots" if u.snapshots else ""
        line(
            f"  {mark}{when} {u.vendor}: {u.id}{name}{snaps} [{', '.join(u.datasets)}; {u.date_note}]"
        )
    if len(fresh.uncarded) > limit:
        line(f"  ... {len(fresh.uncarded) - limit} more (--limit, or --json)")
    bad = fresh.lifecycle_incomplete
    line(
        f"\n(b) cards a dataset marks deprecated or shut down: {len(fresh.lifecycle)}, "
        f"{len(bad)} without the flag, the date or a successor"
    )
    for x in fresh.lifecycle[:limit]:
        state = "ok  " if x.complete else "TODO"
        if x.window_only:
            line(
                f"  ok   {x.model_id}: available until at least {x.shutdown_date} (support window)"
            )
            continue
        card = (
            f"card: deprecated={x.card_deprecated} shutdown_date={x.card_shutdown_date} "
            f"successor={x.card_successor}"
        )
        said = f"{x.shutdown_date or 'no date'}" + (f" -> {x.successor}" if x.successor else "")
        line(f"  {state} {x.model_id}: {said} ({x.deprecated_by[0]}); {card}")
    line(f"\n(c) cards not checked for {STALE_DAYS} days: {len(fresh.stale)}")
    for st in fresh.stale[:limit]:
        line(f"  {st.model_id}: as_of {st.as_of} ({st.days} days)")
    n_filled = sum(len(v) for v in report.filled.values())
    line(
        f"\nfilled from datasets: {n_filled} empty fields in {len(report.filled)} cards "
        f"(cards found: {', '.join(f'{k} {v}' for k, v in sorted(report.mapped_by.items()))}); "
        f"{len(report.disagreements)} hand-written values disagree with the newest dataset; "
        f"{len(report.conflicts)} values the datasets disagree on (the newer data is used)"
    )
    for d in report.disagreements:
        line(f"  {d.model_id}.{d.field}: card {d.card} vs dataset {d.dataset} ({d.source})")
    for c in report.conflicts:
        line(
            f"  {c.model_id}.{c.field}: used {c.used} ({c.used_source}); {c.other_source} says {c.other}"
        )
