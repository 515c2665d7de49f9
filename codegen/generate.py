"""Generate the sync twin from the async sources with unasync.

Each async module is converted by unasync (``async``/``await`` dropped, names replaced as
``codegen/rules.py`` says), its docstrings rewritten, then passed through ``ruff check
--fix`` and ``ruff format`` with the project's config, so generated code is linted like the
rest.

``python codegen/generate.py`` writes the generated files; ``--check`` writes nothing and
fails (printing a diff) when a generated file is stale, missing or extra, when a
hand-written twin is missing, or when a replacement rule is never used.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from codegen.rules import GENERATED_HEADER, ROOT, RULES, DirRule

_SKIP_DIRS = {"__pycache__"}


def source_files(rule: DirRule) -> list[Path]:
    """The files of ``rule.source`` that are generated (hand-written twins excluded)."""
    return [
        path
        for path in sorted(rule.source_dir.rglob("*"))
        if path.is_file()
        and path.suffix in (".py", ".typed")
        and not _SKIP_DIRS.intersection(path.parts)
        and path.relative_to(rule.source_dir).as_posix() not in rule.hand_written
    ]


def convert(rule: DirRule, text: str) -> str:
    """Python source made sync by unasync, after unwrapping ``Awaitable[X]`` to ``X``.

    unasync (public API: ``Rule`` and ``unasync_files``) drops ``async``/``await`` and
    replaces names by the rule's table (any other ``AsyncX`` becomes ``SyncX``); it has no
    notion of a type that only the async flavour needs, so that one step is ours.
    """
    import unasync

    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp, "from_async"), Path(tmp, "to_sync")
        source.mkdir()
        module = source / "module.py"
        module.write_text(_unwrap(rule, text), encoding="utf-8")
        rules = [unasync.Rule(f"{source}/", f"{target}/", rule.replacements)]
        unasync.unasync_files([str(module)], rules)
        return (target / "module.py").read_text(encoding="utf-8")


def _unwrap(rule: DirRule, text: str) -> str:
    """``Awaitable[X]`` (and the other names of ``rule.unwrap``) becomes ``X``."""
    if not any(name in text for name in rule.unwrap):
        return text
    import tokenize_rt

    tokens = tokenize_rt.src_to_tokens(text)
    out = []
    closers: list[bool] = []  # one per open "[": whether its "]" goes too
    unwrapping = False
    for i, token in enumerate(tokens):
        if token.name == "NAME" and token.src in rule.unwrap and tokens[i + 1].src == "[":
            unwrapping = True
        elif token.name == "OP" and token.src == "[":
            closers.append(unwrapping)
            if not unwrapping:
                out.append(token)
            unwrapping = False
        elif token.name == "OP" and token.src == "]":
            if not closers.pop():
                out.append(token)
        else:
            out.append(token)
    return str(tokenize_rt.tokens_to_src(out))


def render(rule: DirRule, path: Path) -> str:
    """The generated text for one source file, before ``lint``."""
    if path.suffix != ".py":
        return path.read_text(encoding="utf-8")
    text = _rewrite_prose(convert(rule, path.read_text(encoding="utf-8")), rule)
    return GENERATED_HEADER.format(source=path.relative_to(ROOT).as_posix()) + text


def lint(texts: dict[Path, str]) -> dict[Path, str]:
    """Python files (keyed by path from the root) after ``ruff check --fix`` and ``ruff format``.

    The project's config applies, so unused imports go, imports are sorted and the tree's own
    ``ruff check .`` and ``ruff format --check .`` pass on the output.
    """
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(ROOT / "pyproject.toml", tmp)
        for relative, text in texts.items():
            (Path(tmp) / relative).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / relative).write_text(text, encoding="utf-8")
        for command in (["check", "--fix-only"], ["format"]):
            ruff = [
                sys.executable,
                "-m",
                "ruff",
                *command,
                "--quiet",
                "--no-cache",
                *map(str, texts),
            ]
            result = subprocess.run(ruff, cwd=tmp, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise SystemExit(f"`ruff {command[0]}` failed: {result.stderr.strip()}")
        return {relative: (Path(tmp) / relative).read_text(encoding="utf-8") for relative in texts}


def _rewrite_prose(text: str, rule: DirRule) -> str:
    # convert() rewrites code tokens only; docstrings and comments name the async API too.
    text = re.sub(r"\bawait (?=\S)", "", text)
    text = re.sub(r"\basync (with|for|def)\b", r"\1", text)
    for old, new in rule.prose.items():
        text = text.replace(old, new)
    for old, new in rule.replacements.items():
        if old.startswith(("Async", "chimekit_")):
            text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    return re.sub(r"\bAsync([A-Z]\w*)", r"Sync\1", text)


def expected(rule: DirRule) -> dict[Path, str]:
    """Every generated file of ``rule`` (path relative to the target) and its text."""
    texts = {path.relative_to(rule.source_dir): render(rule, path) for path in source_files(rule)}
    linted = lint(
        {Path(rule.target, name): text for name, text in texts.items() if name.suffix == ".py"}
    )
    return {name: linted.get(Path(rule.target, name), text) for name, text in texts.items()}


def unused_replacements(rule: DirRule) -> list[str]:
    """Replacements that no source file of ``rule`` uses (names, strings or prose)."""
    import tokenize_rt

    seen: set[str] = set()
    texts = []
    for path in source_files(rule):
        if path.suffix != ".py":
            continue
        text = path.read_text(encoding="utf-8")
        texts.append(convert(rule, text))  # prose rules apply to the converted text
        for token in tokenize_rt.src_to_tokens(text):
            if token.name == "NAME":
                seen.add(token.src)
            elif token.name == "STRING":
                seen.add(token.src[1:-1])
    unused = (set(rule.replacements) | rule.unwrap) - seen
    unused.update(old for old in rule.prose if not any(old in text for text in texts))
    return sorted(unused)


def check(rule: DirRule) -> list[str]:
    """Problems of one rule's generated tree, as printable lines."""
    problems: list[str] = []
    wanted = expected(rule)
    problems.extend(
        f"hand-written twin missing: {(side / name).relative_to(ROOT)}"
        for name in sorted(rule.hand_written)
        for side in (rule.source_dir, rule.target_dir)
        if not (side / name).is_file()
    )
    for relative, text in wanted.items():
        target = rule.target_dir / relative
        if not target.exists():
            problems.append(f"missing generated file: {target.relative_to(ROOT)}")
            continue
        current = target.read_text(encoding="utf-8")
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"{target.relative_to(ROOT)} (on disk)",
                f"{target.relative_to(ROOT)} (generated)",
            )
            problems.append(f"stale generated file: {target.relative_to(ROOT)}\n{''.join(diff)}")
    problems.extend(
        f"extra file in generated tree: {path.relative_to(ROOT)}" for path in _extra(rule, wanted)
    )
    problems.extend(
        f"replacement rule never used in {rule.source}: {name!r}"
        for name in unused_replacements(rule)
    )
    return problems


def write(rule: DirRule) -> list[Path]:
    """Write one rule's generated files, removing stale ones; return what changed."""
    changed = []
    wanted = expected(rule)
    for relative, text in wanted.items():
        target = rule.target_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    for path in _extra(rule, wanted):
        path.unlink()
        changed.append(path)
    return changed


def _extra(rule: DirRule, wanted: dict[Path, str]) -> list[Path]:
    # Files in the target tree that are neither generated nor hand-written.
    return [
        path
        for path in sorted(rule.target_dir.rglob("*"))
        if path.is_file()
        and not _SKIP_DIRS.intersection(path.parts)
        and path.relative_to(rule.target_dir) not in wanted
        and path.relative_to(rule.target_dir).as_posix() not in rule.hand_written
    ]


_TOOLS = ("unasync", "tokenize_rt", "ruff")


def _python_with_tools() -> str | None:
    """A project virtualenv's Python that has the generator's tools, if this one lacks them.

    So that a plain ``python3 codegen/generate.py --check`` works in a checkout where
    ``python3 dev.py`` (nox) has already made its environments.
    """
    if all(importlib.util.find_spec(tool) for tool in _TOOLS):
        return None
    bindir = "Scripts" if os.name == "nt" else "bin"
    candidates = [ROOT / ".venv" / bindir / "python", *sorted(ROOT.glob(f".nox/*/{bindir}/python"))]
    probe = "import unasync, tokenize_rt, ruff"
    for python in filter(Path.exists, candidates):
        if subprocess.run([python, "-c", probe], check=False, capture_output=True).returncode == 0:
            return str(python)
    raise SystemExit(
        "codegen needs unasync, tokenize-rt and ruff: run `python3 dev.py codegen` "
        "(or `python3 dev.py codegen -- --check`), which installs them"
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: generate, or ``--check`` for drift."""
    python = _python_with_tools()
    if python is not None:
        arguments = sys.argv[1:] if argv is None else argv
        return subprocess.call([python, str(Path(__file__).resolve()), *arguments])
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail on drift; write nothing")
    args = parser.parse_args(argv)
    if args.check:
        problems = [problem for rule in RULES for problem in check(rule)]
        for problem in problems:
            print(problem)
        if problems:
            print(f"codegen check failed: {len(problems)} problem(s)")
            print("run `python codegen/generate.py` and commit the result")
            return 1
        print("codegen check passed: the generated sync twin matches its async source")
        return 0
    for rule in RULES:
        for path in write(rule):
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
