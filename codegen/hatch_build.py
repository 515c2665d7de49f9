"""Hatch build hook: regenerate the sync twin before every wheel, sdist or editable build.

A wheel therefore never ships a sync client older than its async source.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CodegenBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Runs ``codegen/generate.py`` (write mode) at the start of each build."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Regenerate the sync sources in place before files are collected."""
        root = Path(self.root)
        if not (root / "src" / "chimekit_async").is_dir():
            return  # building from an sdist without the async sources: nothing to do
        sys.path.insert(0, str(root))
        try:
            from codegen import generate

            generate.main([])
        finally:
            sys.path.remove(str(root))
