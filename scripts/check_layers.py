"""The import contract: layers flow one way and there is no cycle (run by `make lint`).

    adapters  cli/, ui/                   parse -> service -> present
    services  services, evaluate,         the composition root and what it runs
              eval_questions
    rag       rag/                        embeddings, index, retrieve, llm, prompts, answer, guard
    present   present/                    one formatter per fact
    sources   sources/                    maintained datasets, bundled models
    domain    domain/                     catalog, guide, hardware, cost, needs, recommend, dialogue
    base      errors, settings, i18n, versions

Each layer is a folder of `advisor/` (the base and the services are single modules).

A module may import its own layer or a lower one; every import counts, also one inside a
function or under TYPE_CHECKING. Exit 1 with one line per violation.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "advisor"

LAYERS: dict[str, tuple[str, ...]] = {
    "base": ("errors", "settings", "i18n", "versions"),
    "domain": ("domain",),
    "sources": ("sources",),
    "present": ("present",),
    "rag": ("rag",),
    "services": ("services", "evaluate", "eval_questions"),
    "adapters": ("cli", "ui"),
}
ORDER = list(LAYERS)


def layer_of(module: str) -> str | None:
    """'advisor.present.card' -> 'present'; None for the package itself."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    for layer, names in LAYERS.items():
        if parts[1] in names:
            return layer
    raise SystemExit(f"check_layers: {module} is in no layer; add it to LAYERS")


def modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "advisor":
                yield from (f"advisor.{a.name}" for a in node.names)
            elif node.module.startswith("advisor."):
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("advisor."))


def violations() -> list[str]:
    mods = modules()
    graph = {name: sorted(set(imports(path))) for name, path in mods.items()}
    out = []
    for src, targets in sorted(graph.items()):
        src_layer = layer_of(src)
        for dst in targets:
            dst_layer = layer_of(dst)
            if src_layer and dst_layer and ORDER.index(dst_layer) > ORDER.index(src_layer):
                out.append(f"upward import: {src} ({src_layer}) -> {dst} ({dst_layer})")
    out += [f"import cycle: {' -> '.join(c)}" for c in _cycles(graph)]
    return out


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, []):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


if __name__ == "__main__":
    problems = violations()
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)
