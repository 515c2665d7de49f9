"""``from chimekit_sync import *`` binds every public name, models too (async: the sibling file).

Type-checked by ``mypy --strict`` and pyright only, never run. A model is exported by being
listed in ``chimekit_core._models.__all__``; this file and ``check_public_api.py`` prove that
both type checkers follow that list through core's ``__all__ += _models.__all__`` and the
flavours' re-export of core.
"""

# ruff: noqa: F403, F405

from __future__ import annotations

from typing import assert_type

import chimekit_async
import chimekit_sync
from chimekit_sync import *

assert_type(Member, type[chimekit_sync.Member])
assert_type(TemplateContentParam, type[chimekit_async.TemplateContentParam])
assert_type(NotFoundError, type[chimekit_async.NotFoundError])
assert_type(RetryPolicy, type[chimekit_sync.RetryPolicy])
assert_type(ChimeKit, type[chimekit_sync.ChimeKit])
