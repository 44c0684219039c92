"""The app's import graph: no cycles between its own modules, and the layers kept apart.

Every module of the app is parsed with `ast` (nothing is imported), and every import in it
counts: at module level, inside functions, and under `if TYPE_CHECKING:`, so a cycle that
only a lazy import or a type hint closes is found as well.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP_PACKAGES = ("controller", "models", "pages", "utils", "view")
APP_SCRIPTS = ("Simple_Chatbot.py", "settings.py")


@dataclass(frozen=True)
class Import:
    line: int
    module: str  # dotted: `import module`, or `from module import names`
    names: tuple[str, ...] = ()

    def targets(self) -> list[str]:
        """The module, and for `from module import name` each `module.name` (a module or not)."""
        return [self.module, *(f"{self.module}.{name}" for name in self.names if name != "*")]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    files = [PROJECT_DIR / name for name in APP_SCRIPTS]
    for package in APP_PACKAGES:
        files.extend(sorted((PROJECT_DIR / package).rglob("*.py")))
    return {module_name(path): path for path in files}


def imports_of(module: str, path: Path) -> list[Import]:
    """Every import statement in the module, wherever it is: module level, functions, `if TYPE_CHECKING:`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(Import(node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: against the importing module's package
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base]) if base else ".".join(package)
            found.append(Import(node.lineno, base, tuple(alias.name for alias in node.names)))
    return found


def _project_module(name: str, modules: dict[str, Path]) -> str | None:
    """The app module `name` is, or is in (the longest prefix that is one), or None."""
    parts = name.split(".")
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts) or None


def project_edges(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """importer -> {imported app module: first line}.

    `from package import name` is an edge to `package.name` when that is a module, else to
    `package`: a package's `__init__` re-exporting its own modules is no cycle of theirs.
    """
    graph: dict[str, dict[str, int]] = {module: {} for module in modules}
    for module, path in modules.items():
        for item in imports_of(module, path):
            if item.names:
                targets = [f"{item.module}.{name}" if f"{item.module}.{name}" in modules else item.module
                           for name in item.names]
            else:
                targets = [item.module]
            for target in (_project_module(name, modules) for name in targets):
                if target is not None and target != module:
                    graph[module].setdefault(target, item.line)
    return graph


def find_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan), first module repeated last."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, {}):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_within(graph, group) for group in groups]


def _cycle_within(graph: dict[str, dict[str, int]], group: list[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node]):
                if nxt == start:
                    return [*paths[node], start]
                if nxt in members and nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle found in the group {group}")  # cannot happen for a strongly connected group


def describe(cycle: list[str], graph: dict[str, dict[str, int]], modules: dict[str, Path]) -> str:
    steps = [f"{a} (line {graph[a][b]} of {modules[a].relative_to(PROJECT_DIR)}) imports {b}"
             for a, b in pairwise(cycle)]
    return " -> ".join(cycle) + "\n    " + "\n    ".join(steps)


@pytest.fixture(scope="module")
def modules() -> dict[str, Path]:
    return app_modules()


@pytest.fixture(scope="module")
def graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    return project_edges(modules)


def test_the_scan_sees_the_app_and_its_lazy_and_type_only_imports(modules, graph) -> None:
    # Without these the other tests could pass by seeing nothing.
    assert {"Simple_Chatbot", "settings", "pages.1_Chatbot_With_Memory", "view.memory_chat",
            "controller.memory_chat", "models.store", "models.store._store", "utils.llm.engines"} <= set(modules)
    assert "utils.llm" in graph["controller.memory_chat"]  # at module level
    assert "utils.llm.turn_stream" in graph["utils.llm.engines"]  # inside a function
    assert "utils.llm.groq_llm" in graph["utils.llm.engines"]  # under `if TYPE_CHECKING:`


def test_there_is_no_import_cycle(modules, graph) -> None:
    cycles = find_cycles(graph)
    assert not cycles, "import cycles between the app's modules:\n" + "\n".join(
        describe(cycle, graph, modules) for cycle in cycles)


def test_the_cycle_finder_names_a_cycle() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}, "e": {"e": 5}}
    assert find_cycles(graph) == [["a", "b", "c", "a"], ["e", "e"]]


# Reading documents is not talking to an LLM: models/attachments reads files with LlamaIndex's
# readers and chunks them with its splitter and tokenizer (nothing of its LLMs or agents).
READERS_ALLOWED = {"models.attachments": ("llama_index.core.node_parser", "llama_index.core.utils",
                                          "llama_index.core", "llama_index.readers.file")}


def _allowed(module: str, imported: str) -> bool:
    return any((module == owner or module.startswith(owner + ".")) and imported in names
               for owner, names in READERS_ALLOWED.items())


def _violations(modules: dict[str, Path], layers: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for module, path in modules.items():
        if module.split(".")[0] not in layers:
            continue
        for item in imports_of(module, path):
            if _allowed(module, item.module) and (item.module != "llama_index.core" or
                                                  item.names == ("SimpleDirectoryReader",)):
                continue
            if any(item.module == name or item.module.startswith(name + ".") for name in forbidden):
                found.append(f"{path.relative_to(PROJECT_DIR)}:{item.line} imports {item.module}")
    return sorted(set(found))


@pytest.mark.parametrize("layers, forbidden", [
    pytest.param(("controller", "models"), ("streamlit",), id="no streamlit in controller or models"),
    pytest.param(("models",), ("llama_index", "openai", "utils"), id="no llama_index, openai or utils in models"),
    pytest.param(("view", "pages"), ("llama_index", "openai"), id="no llama_index or openai in view or pages"),
])
def test_layers_keep_apart(modules, layers, forbidden) -> None:
    assert _violations(modules, layers, forbidden) == []


def test_only_the_store_package_imports_its_private_modules(modules) -> None:
    found = []
    for module, path in modules.items():
        if module == "models.store" or module.startswith("models.store."):
            continue
        for item in imports_of(module, path):
            for target in item.targets():
                parts = target.split(".")
                if parts[:2] == ["models", "store"] and len(parts) > 2 and parts[2].startswith("_"):
                    found.append(f"{path.relative_to(PROJECT_DIR)}:{item.line} imports {target}")
    assert found == []
