"""The layout of blog/: a small core under feature packages (docs/architecture.md).

Floors, from the bottom:
- the base: `blog.extensions`, `blog.config`, `blog.models` (the tables, by domain) and
  `blog.types` (kept for old migrations);
- `blog.core`: what every feature uses (database, caches, content pipeline, jobs, mail,
  templating, errors, ...). It imports no feature;
- the features: every other package of blog/ (`public`, `auth`, `comments`, `admin`,
  `newsletter`, `importers`, ...). A feature imports another feature only through that
  feature's public module, `blog.<feature>.api`: a short module that re-exports what the
  others may use, so what a feature offers is read in one place and the rest of its
  package may change freely;
- the top: the factory (`blog`, which registers each feature's blueprint inside
  `create_app`) and `blog.cli` (which registers each feature's commands) may import
  anything.

And there are no import cycles, counting imports under `if TYPE_CHECKING:` (a cycle
hidden there is still two modules that cannot be read apart) and imports inside
functions (a function-level import that closes a cycle only hides it until it runs).

Every module is read with `ast`; nothing is imported.
"""

import ast
from pathlib import Path

BLOG = Path(__file__).resolve().parent.parent / "blog"

# The app factory's steps import every blueprint inside create_app: that is its job,
# and it is the one door allowed to point upward from inside its functions.
FACTORY = "blog"
TOP = {FACTORY, "blog.cli"}
BASE = {"blog.extensions", "blog.config", "blog.types", "blog.models"}
CORE = "blog.core"


def floor(name: str) -> str:
    """ "top", "base", "core" or the feature's name (`blog.<feature>...`)."""
    if name in TOP:
        return "top"
    if name in BASE or name.startswith("blog.models."):
        return "base"
    if name == CORE or name.startswith(CORE + "."):
        return "core"
    return name.split(".")[1]


def public_module(feature: str) -> str:
    return f"blog.{feature}.api"


# A blueprint's module (it defines `bp`) is a room. Only the factory opens its door
# (registering it), and the admin blueprint its areas'; no other module, not even
# another room, imports one.
def rooms() -> set[str]:
    return {
        name
        for name, path in modules().items()
        if "\nbp = Blueprint(" in path.read_text() or "\nbp = area(" in path.read_text()
    }


MAX_LINES = 450  # a module longer than this does several jobs: split it along them


def module_name(path: Path) -> str:
    parts = path.relative_to(BLOG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(BLOG.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The blog modules `name` imports: at module level, inside functions and under
    `if TYPE_CHECKING:` alike; for the factory, not inside its functions."""
    is_package = path.name == "__init__.py"
    found: set[str | None] = set()

    def target(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if name == FACTORY and inside:
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.add(target(alias.name))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = name if is_package else name.rpartition(".")[0]
                    for _ in range(child.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{base}" if base else anchor
                for alias in child.names:
                    # `from blog.core import uploads` imports the module blog.core.uploads.
                    found.add(target(f"{base}.{alias.name}") or target(base))
            visit(child, inside)

    visit(ast.parse(path.read_text(), str(path)), False)
    found.discard(None)
    found.discard(name)
    return {m for m in found if m is not None and m.startswith("blog")}


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def strongconnect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                strongconnect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)
    return found


def test_the_graph_sees_function_level_and_type_checking_imports(tmp_path):
    graph = import_graph()
    # blog/cli.py imports the demo loader inside a command function.
    assert "blog.demo.loader" in graph["blog.cli"]
    # The factory's blueprint imports sit inside its steps and are allowed.
    assert "blog.admin.views" not in graph["blog"]
    assert "blog.core.errors" in graph["blog"]
    hidden = tmp_path / "hidden.py"
    hidden.write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from blog.models import User\n"
    )
    assert imports_of("blog.core.hidden", hidden, {"blog.models"}) == {"blog.models"}


def test_a_cycle_is_found():
    graph = {"blog.a": {"blog.b"}, "blog.b": {"blog.c"}, "blog.c": {"blog.a"}, "blog.d": set()}
    assert cycles(graph) == [{"blog.a", "blog.b", "blog.c"}]


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_floors():
    assert floor("blog") == floor("blog.cli") == "top"
    assert floor("blog.models.content") == floor("blog.extensions") == "base"
    assert floor("blog.core.cache.pages") == "core"
    assert floor("blog.importers.wordpress.store") == "importers"


def test_core_and_models_import_no_feature():
    upward = {
        (name, imported)
        for name, imports in import_graph().items()
        if floor(name) in ("core", "base")
        for imported in imports
        if floor(imported) not in ("core", "base")
    }
    assert not upward, f"core or models importing a feature (move the code down): {upward}"


def test_models_import_only_models_and_core_types():
    allowed = {"blog.extensions", "blog.core.types"}
    found = {
        (name, imported)
        for name, imports in import_graph().items()
        if name == "blog.models" or name.startswith("blog.models.")
        for imported in imports
        if imported not in allowed and not imported.startswith("blog.models")
    }
    assert not found, f"models importing more than the tables need: {found}"


def test_features_import_each_other_only_through_their_api():
    found = {
        (name, imported)
        for name, imports in import_graph().items()
        if floor(name) not in ("top", "base", "core")
        for imported in imports
        if floor(imported) not in ("top", "base", "core", floor(name))
        and imported != public_module(floor(imported))
    }
    assert not found, (
        f"features importing another feature's insides (use its api.py): {sorted(found)}"
    )


def test_feature_and_core_packages_are_a_docstring():
    """A package's `__init__.py` holds a one-line docstring and nothing else: putting
    `bp` there and importing views at its bottom is how cycles start."""
    heavy = []
    for name, path in modules().items():
        if path.name != "__init__.py" or name in ("blog", "blog.models"):
            continue
        body = ast.parse(path.read_text()).body
        if len(body) != 1 or not isinstance(body[0], ast.Expr):
            heavy.append(name)
    assert not heavy, f"packages with code in __init__.py: {heavy}"


def test_no_module_imports_a_blueprint_but_the_factory_and_the_admin():
    graph, doors = import_graph(), rooms()
    assert {"blog.public.views", "blog.admin.views", "blog.admin.people"} <= doors
    upward = {
        (name, room)
        for name, imported in graph.items()
        for room in imported & doors
        if name != FACTORY and not (name == "blog.admin.views" and room.startswith("blog.admin."))
    }
    assert not upward, f"imports of a blueprint's module (move the shared code down): {upward}"


def test_no_module_over_the_size_limit():
    sizes = {
        str(path.relative_to(BLOG.parent)): len(path.read_text().splitlines())
        for path in modules().values()
    }
    over = {path: n for path, n in sizes.items() if n > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines (split them): {over}"


def test_no_test_module_imports_another():
    """Shared test code lives in conftest.py, factories.py, shared.py and the like."""
    tests = BLOG.parent / "tests"
    found = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [
                (str(path.relative_to(tests)), name)
                for name in names
                if name.startswith("tests.") and name.rpartition(".")[2].startswith("test_")
            ]
    assert not found, f"test modules importing test modules: {found}"
