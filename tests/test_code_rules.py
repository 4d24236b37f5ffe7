"""Rules on the code itself, read from its syntax trees (bot/ and workers/, migrations aside)."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED = ("status", "kind", "state")  # a name holding one of these is compared to enum members


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for package in ("bot", "workers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path))


def _name(node: ast.expr) -> str | None:
    """The name an expression reads: `status`, `x.status`, `r["kind"]`, `r.get("kind")`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    key: ast.expr | None = None
    if isinstance(node, ast.Subscript):
        key = node.slice
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
        key = node.args[0] if node.func.attr == "get" else None
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def _is_named(node: ast.expr) -> bool:
    name = (_name(node) or "").lower()
    return any(word in name for word in NAMED)


def _is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return bool(node.elts) and all(_is_text(element) for element in node.elts)
    return False


def string_comparisons(tree: ast.AST) -> Iterator[int]:
    """Lines comparing a status or kind with a string literal, or a tuple of them."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for left, right in itertools.pairwise(operands):
            if (_is_named(left) and _is_text(right)) or (_is_text(left) and _is_named(right)):
                yield node.lineno


def test_the_rule_sees_the_forms_it_forbids() -> None:
    tree = ast.parse(
        'a = e.status == "done"\nb = kind in ("x", "y")\nc = r.get("kind") != "scam"\n'
        'd = "sent" == reply.status\ne = e.status == EventStatus.DONE\nf = code == "x"\n'
    )
    assert list(string_comparisons(tree)) == [1, 2, 3, 4]


def test_no_status_or_kind_is_compared_with_a_string() -> None:
    found = [f"{path}:{line}" for path, tree in _sources() for line in string_comparisons(tree)]
    assert found == [], "compare with the enum members of bot.domain.statuses"


MAX_FUNCTION_LINES = 60  # a function longer than a screen is read in pieces: name the pieces


def long_functions(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Functions (methods and nested ones included) over the limit, `def` to last line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                yield node.name, length


def test_the_length_rule_counts_from_def_to_the_last_line() -> None:
    body = "".join(f"    x = {i}\n" for i in range(MAX_FUNCTION_LINES - 1))
    assert list(long_functions(ast.parse("def fits():\n" + body))) == []
    too_long = ast.parse("async def over():\n" + body + "    return x\n")
    assert list(long_functions(too_long)) == [("over", MAX_FUNCTION_LINES + 1)]


def test_no_function_is_over_sixty_lines() -> None:
    found = [
        f"{path}: {name} ({length} lines)"
        for path, tree in _sources()
        for name, length in long_functions(tree)
    ]
    assert found == [], f"split into named steps (at most {MAX_FUNCTION_LINES} lines each)"


# The web, database, queue and telephony frameworks, and their HTTP clients and servers.
FRAMEWORKS = frozenset(
    {
        "alembic",
        "anyio",
        "fastapi",
        "httpx",
        "psycopg",
        "redis",
        "rq",
        "sqlalchemy",
        "starlette",
        "twilio",
        "uvicorn",
    }
)
# Not in the list, on purpose: jinja2 (bot.prompts renders the reply texts, which advice,
# call_advice and voice build; a text library with no I/O), pydantic (settings) and numpy with
# scikit-learn (the model's arithmetic).


def _loaded_by_the_domain() -> set[str]:
    """The top-level packages loaded by importing every module of bot/domain, in a new process."""
    modules = sorted(p.stem for p in (ROOT / "bot" / "domain").glob("*.py"))
    script = "".join(f"import bot.domain.{name}\n" for name in modules) + (
        "import sys\nprint('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_the_domain_core_imports_no_framework() -> None:
    assert _loaded_by_the_domain() & FRAMEWORKS == set()
