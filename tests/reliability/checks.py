"""Assertions shared by the reliability tests."""

from __future__ import annotations

import gc
import warnings


def assert_no_resource_warnings() -> None:
    """Collect garbage and fail on any ResourceWarning (an unclosed socket, session or file)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    leaked = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == [], leaked
