"""The layout of blog/: no import cycles, no oversized modules (docs/architecture.md).

Reads every module with `ast` (nothing is imported), so the graph holds the imports
at module level and those inside functions alike: a function-level import that closes
a cycle only hides it until the function runs.
"""

import ast
from pathlib import Path

BLOG = Path(__file__).resolve().parent.parent / "blog"

# The app factory's steps import every blueprint inside create_app: that is its job,
# and it is the one door allowed to point upward.
FACTORY = "blog"


# A blueprint's module (it defines `bp`) is a room: the top floor. Only the factory
# opens its door (registering it), and the admin blueprint its areas'; no other module,
# not even another room, imports one.
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


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The blog modules `name` imports: module level and inside functions, not under
    `if TYPE_CHECKING:` and, for the factory, not inside its functions."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def target(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other, in_function)
                continue
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
                    # `from blog import uploads` imports the module blog.uploads.
                    found.add(target(f"{base}.{alias.name}") or target(base))
            visit(child, inside)

    visit(ast.parse(path.read_text(), str(path)), False)
    found.discard(None)
    found.discard(name)
    return {m for m in found if m.startswith("blog")}


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


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    # blog/cli.py imports the demo loader inside a command function.
    assert "blog.demo" in graph["blog.cli"]
    # The factory's blueprint imports sit inside its steps and are allowed.
    assert "blog.admin.views" not in graph["blog"]
    assert "blog.errors" in graph["blog"]


def test_a_cycle_is_found():
    graph = {"blog.a": {"blog.b"}, "blog.b": {"blog.c"}, "blog.c": {"blog.a"}, "blog.d": set()}
    assert cycles(graph) == [{"blog.a", "blog.b", "blog.c"}]


def test_no_import_cycles():
    assert cycles(import_graph()) == []


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
