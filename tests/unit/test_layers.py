"""The shape of the package: layers point down, domains hold their own, no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "intake"
MAX_LINES = 400

DOMAINS = ("core", "keys", "jobs", "webhooks", "safeguards", "uploads", "submissions", "inspection",
           "moderation")  # fmt: skip
"""Domain packages, each allowed to import only the ones before it (and ``media``)."""
FOREIGN_TO_DOMAINS = ("aiohttp", "sqlalchemy", "boto3", "botocore", "intake.web",
                      "intake.adapters", "intake.wiring", "intake.cli")  # fmt: skip


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every module of the package and what it imports (top level and deferred alike)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[_module_name(path)] = found
    return graph


GRAPH = _imports()


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _internal(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    return {m: {i for i in imported if i in graph and i != m} for m, imported in graph.items()}


def test_no_module_imports_itself_back() -> None:
    edges = _internal(GRAPH)
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for imported in sorted(edges[module]):
            if not imported.startswith(module + "."):  # a package importing its own module
                visit(imported, [*path, module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


@pytest.mark.parametrize("domain", DOMAINS)
def test_domains_know_nothing_of_http_sql_or_storage_sdks(domain: str) -> None:
    for module, imported in GRAPH.items():
        if module.startswith(f"intake.{domain}"):
            bad = sorted(i for i in imported if _within(i, FOREIGN_TO_DOMAINS))
            assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_domains_import_only_the_ones_below(domain: str) -> None:
    allowed = {f"intake.{d}" for d in DOMAINS[: DOMAINS.index(domain) + 1]} | {"intake.media"}
    for module, imported in GRAPH.items():
        if module.startswith(f"intake.{domain}"):
            bad = sorted(
                i for i in imported
                if i.startswith("intake.") and ".".join(i.split(".")[:2]) not in allowed
            )  # fmt: skip
            assert not bad, f"{module} imports {bad} from a package above it"


def test_media_and_adapters_never_import_the_layers_above() -> None:
    for module, imported in GRAPH.items():
        if module.startswith(("intake.media", "intake.adapters")):
            bad = sorted(i for i in imported if _within(i, ("intake.web", "intake.wiring",
                                                            "intake.cli")))  # fmt: skip
            assert not bad, f"{module} imports {bad}"


def test_no_module_is_longer_than_it_should_be() -> None:
    sizes = {
        str(path.relative_to(PACKAGE.parent)): len(path.read_text().splitlines())
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }
    long = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"
