"""Bootstrap for a fresh machine: `python3 dev.py demo` or `python3 dev.py tests`.

Needs only Python 3.11+ with pip: it makes `.venv-nox/` with nox in it (once) and runs
the nox session you name, passing further arguments on (`python3 dev.py tests -- -k retry`).
With no session it runs nox's default set (tests, lint, typecheck, codegen check).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
BOOTSTRAP = ROOT / ".venv-nox"


def main(argv: list[str]) -> int:
    """Make sure nox is installed, then run `nox -s <session> [args...]`."""
    if sys.version_info < (3, 11):  # noqa: UP036 - a user may run an older python3
        print("chimekit needs Python 3.11 or newer", file=sys.stderr)
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
                "-q",
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
