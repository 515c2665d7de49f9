"""The generated sync twin stays in step with its async source."""

from __future__ import annotations

import ast
import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from codegen.generate import convert  # noqa: E402
from codegen.rules import RULES  # noqa: E402


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "codegen" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of the parts of the repository the generator reads and writes (and ruff's config)."""
    for part in (
        "codegen",
        "src/chimekit_core",  # ruff sorts imports of the packages under src/ as first-party
        "src/chimekit_async",
        "src/chimekit_sync",
        "tests/async_",
        "tests/sync",
    ):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_committed_twin_matches_source() -> None:
    """`generate.py --check` passes on the repository as committed."""
    result = _check(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hand_edit_of_generated_file_is_caught(repo_copy: Path) -> None:
    """Editing a generated file by hand makes --check fail with a diff."""
    target = repo_copy / "src/chimekit_sync/_client.py"
    target.write_text(target.read_text() + "\nHAND_EDIT = True\n")
    result = _check(repo_copy)
    assert result.returncode == 1
    assert "stale generated file: src/chimekit_sync/_client.py" in result.stdout
    assert "+HAND_EDIT = True" not in result.stdout  # the diff shows it as removed by regeneration
    assert "-HAND_EDIT = True" in result.stdout


def test_extra_and_missing_files_are_caught(repo_copy: Path) -> None:
    """A stray file in the generated tree, or a missing generated file, fails the check."""
    (repo_copy / "src/chimekit_sync/_stray.py").write_text("x = 1\n")
    (repo_copy / "tests/sync/test_audience.py").unlink()
    result = _check(repo_copy)
    assert result.returncode == 1
    assert "extra file in generated tree: src/chimekit_sync/_stray.py" in result.stdout
    assert "missing generated file: tests/sync/test_audience.py" in result.stdout


def test_unused_replacement_rule_is_caught(repo_copy: Path) -> None:
    """A replacement no source uses any more fails the check, so rules cannot go stale."""
    rules = repo_copy / "codegen/rules.py"
    rules.write_text(
        rules.read_text().replace(
            '"AsyncRetrying": "Retrying",', '"AsyncRetrying": "Retrying", "Gone": "X",'
        )
    )
    result = _check(repo_copy)
    assert result.returncode == 1
    assert "replacement rule never used in src/chimekit_async: 'Gone'" in result.stdout


def test_generation_restores_the_twin(repo_copy: Path) -> None:
    """Running the generator after a hand edit puts the generated file back."""
    target = repo_copy / "src/chimekit_sync/_messages.py"
    original = target.read_text()
    target.write_text("broken\n")
    subprocess.run(
        [sys.executable, str(repo_copy / "codegen/generate.py")], check=True, capture_output=True
    )
    assert target.read_text() == original
    assert _check(repo_copy).returncode == 0


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.source)
def test_hand_written_files_exist_on_both_sides(rule: object) -> None:
    """Every hand-written per-flavour module exists in the async and the sync package."""
    for name in rule.hand_written:  # type: ignore[attr-defined]
        assert (rule.source_dir / name).is_file()  # type: ignore[attr-defined]
        assert (rule.target_dir / name).is_file()  # type: ignore[attr-defined]


def test_generated_files_carry_the_header() -> None:
    """Each generated Python file says where it comes from and not to edit it."""
    for path in sorted((ROOT / "src/chimekit_sync").glob("*.py")):
        if path.name in ("_transport.py", "_concurrency.py"):
            continue
        assert path.read_text().startswith("# GENERATED from src/chimekit_async/"), path


def test_converter_drops_async_and_unwraps_awaitables() -> None:
    """`await`, `async` and `Awaitable[X]`/`MaybeAwaitable[X]` wrappers go; other brackets stay."""
    source = (
        "async def f(p: Callable[[], MaybeAwaitable[list[int]]]) -> Awaitable[Page[T]]:\n"
        "    async with AsyncChimeKit() as session:\n"
        "        return await  p()[0]\n"
    )
    assert convert(RULES[0], source) == (
        "def f(p: Callable[[], list[int]]) -> Page[T]:\n"
        "    with ChimeKit() as pool:\n"
        "        return p()[0]\n"
    )


def _generated_python() -> list[Path]:
    return [
        path
        for rule in RULES
        for path in sorted(rule.target_dir.rglob("*.py"))
        if path.relative_to(rule.target_dir).as_posix() not in rule.hand_written
    ]


def test_generated_code_passes_ruff_without_exclusions() -> None:
    """Each generated file, named explicitly (so no exclusion applies), is ruff-clean and formatted."""
    files = [str(path) for path in _generated_python()]
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", *files],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_generated_code_has_no_self_assignment() -> None:
    """No `token = token` left over where an `await` was dropped."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _generated_python()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Name)
        and any(isinstance(t, ast.Name) and t.id == node.value.id for t in node.targets)
    ]
    assert found == []


def test_sync_signatures_name_no_awaitable_or_union() -> None:
    """The sync client's callbacks read as plain sync types, in source and via inspect."""
    import chimekit_sync

    client = inspect.signature(chimekit_sync.ChimeKit).parameters["token_provider"]
    assert client.annotation == "Callable[[], str] | None"
    paginator = inspect.signature(chimekit_sync.Paginator).parameters["fetch"]
    assert paginator.annotation == "Callable[[int, int], PageData[T]]"
    for path in _generated_python():
        words = set(re.findall(r"\w+", path.read_text()))
        assert not words & {"Union", "Awaitable", "MaybeAwaitable"}, path
