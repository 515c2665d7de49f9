"""Generate the sync twin from the async sources with unasync.

``python codegen/generate.py`` writes the generated files; ``--check`` writes nothing and
fails (printing a diff) when a generated file is stale, missing or extra, when a
hand-written twin is missing, or when a replacement rule is never used.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from codegen.rules import GENERATED_HEADER, ROOT, RULES, DirRule

_SKIP_DIRS = {"__pycache__"}


def source_files(rule: DirRule) -> list[Path]:
    """The files of ``rule.source`` that are generated (hand-written twins excluded)."""
    files = []
    for path in sorted(rule.source_dir.rglob("*")):
        if path.is_dir() or _SKIP_DIRS.intersection(path.parts):
            continue
        if path.suffix not in (".py", ".typed"):
            continue
        if path.relative_to(rule.source_dir).as_posix() in rule.hand_written:
            continue
        files.append(path)
    return files


def convert(rule: DirRule, path: Path) -> str:
    """One source file as unasync converts it (before the prose rules)."""
    import tokenize_rt
    import unasync

    converter = unasync.Rule(str(rule.source_dir), str(rule.target_dir), rule.replacements)
    tokens = tokenize_rt.src_to_tokens(path.read_text(encoding="utf-8"))
    return str(tokenize_rt.tokens_to_src(list(converter._unasync_tokens(tokens))))


def render(rule: DirRule, path: Path) -> str:
    """The generated text for one source file."""
    if path.suffix != ".py":
        return path.read_text(encoding="utf-8")
    text = _rewrite_prose(convert(rule, path), rule)
    header = GENERATED_HEADER.format(source=path.relative_to(ROOT).as_posix())
    return header + text


def _rewrite_prose(text: str, rule: DirRule) -> str:
    # unasync rewrites code tokens only; docstrings and comments name the async API too.
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
    return {path.relative_to(rule.source_dir): render(rule, path) for path in source_files(rule)}


def unused_replacements(rule: DirRule) -> list[str]:
    """Replacements that no source file of ``rule`` uses (names, strings or prose)."""
    import tokenize_rt

    seen: set[str] = set()
    texts = []
    for path in source_files(rule):
        if path.suffix != ".py":
            continue
        text = path.read_text(encoding="utf-8")
        texts.append(convert(rule, path))  # prose rules apply to the converted text
        for token in tokenize_rt.src_to_tokens(text):
            if token.name == "NAME":
                seen.add(token.src)
            elif token.name == "STRING":
                seen.add(token.src[1:-1])
    unused = set(rule.replacements) - seen
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
    for path in sorted(rule.target_dir.rglob("*")):
        if path.is_dir() or _SKIP_DIRS.intersection(path.parts):
            continue
        relative = path.relative_to(rule.target_dir)
        if relative not in wanted and relative.as_posix() not in rule.hand_written:
            problems.append(f"extra file in generated tree: {path.relative_to(ROOT)}")
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
    for path in sorted(rule.target_dir.rglob("*")):
        if path.is_dir() or _SKIP_DIRS.intersection(path.parts):
            continue
        relative = path.relative_to(rule.target_dir)
        if relative not in wanted and relative.as_posix() not in rule.hand_written:
            path.unlink()
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    """Command line: generate, or ``--check`` for drift."""
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
