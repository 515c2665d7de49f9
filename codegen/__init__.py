"""Code generation: the sync twin of the async client and its tests."""
