"""The ``chimekit`` command line (``pip install chimekit[cli]``).

Import an audience and send messages at volume from JSONL or CSV files (with a progress bar,
``--dry-run``, an ``--errors`` report and ``--resume`` after a kill), read a member's message
history, run workflows and follow their runs. See ``chimekit --help``.

Neither ``chimekit_async`` nor ``chimekit_sync`` imports this package: it needs the ``cli``
extra (click and rich), which the SDK itself does not.
"""

from ._app import cli, main

__all__ = ["cli", "main"]
