"""``python -m chimekit_cli``: the same as the ``chimekit`` console script."""

from ._app import main

main()
