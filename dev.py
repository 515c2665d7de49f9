"""Bootstrap for a fresh machine: `python3 dev.py demo` or `python3 dev.py tests`.

Needs only Python 3.11+ with pip: it makes `.venv-nox/` with nox in it (once) and runs
the nox session you name, passing further arguments on (`python3 dev.py tests -- -k retry`).
With no session it runs nox's default set (tests, lint, typecheck, codegen check).
`python3 dev.py --help` lists the tasks.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
BOOTSTRAP = ROOT / ".venv-nox"
USAGE = "usage: python3 dev.py [TASK] [-- ARGS...]"


def tasks() -> list[tuple[str, str]]:
    """The nox sessions of noxfile.py with the first line of their docstrings (no nox needed)."""
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            "session" in ast.unparse(decorator) for decorator in node.decorator_list
        ):
            doc = (ast.get_docstring(node) or "").splitlines()
            found.append((node.name, doc[0] if doc else ""))
    return found


def print_help() -> None:
    """Print the usage line and every task."""
    print(USAGE)
    print()
    print("Tasks (each runs in its own virtualenv under .nox/, made on first use):")
    listed = tasks()
    width = max(len(name) for name, _ in listed)
    for name, summary in listed:
        print(f"  {name.ljust(width)}  {summary}")
    print()
    print("With no task: tests, lint, typecheck and the codegen check.")
    print("Arguments after -- go to the task, e.g. `python3 dev.py tests -- -k retry -x`.")


def main(argv: list[str]) -> int:
    """Make sure nox is installed, then run `nox -s <session> [args...]`."""
    if sys.version_info < (3, 11):  # noqa: UP036 - a user may run an older python3
        print("chimekit needs Python 3.11 or newer", file=sys.stderr)
        return 2
    if argv and argv[0] in ("-h", "--help", "help"):
        print_help()
        return 0
    if argv and argv[0] not in {name for name, _ in tasks()}:
        print(f"dev.py: unknown task {argv[0]!r}\n", file=sys.stderr)
        print_help()
        return 2
    bindir = BOOTSTRAP / ("Scripts" if os.name == "nt" else "bin")
    nox = bindir / "nox"
    if not nox.exists():
        print("dev.py: creating .venv-nox with nox (first run only)", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(BOOTSTRAP)
        subprocess.run(
            [
                str(bindir / "python"),
                "-m",
                "pip",
                "install",
                "-qq",  # errors only: a machine's pip configuration may warn about its indexes
                "--disable-pip-version-check",
                "nox>=2024.10.9",
            ],
            check=True,
        )
    if not argv:
        return subprocess.call([str(nox)], cwd=ROOT)
    session, *rest = argv
    return subprocess.call([str(nox), "-s", session, *rest], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
