"""Oversized and decompression-bomb responses are refused with bounded memory."""

from __future__ import annotations

import functools
import struct
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chimekit_async import APIResponseValidationError, AsyncChimeKit
from chimekit_core._http import MAX_RESPONSE_BYTES
from chimekit_sync import ChimeKit

from .checks import assert_no_resource_warnings
from .rawserver import RawConnection, RawServer, json_response, response_head

MiB = 1024 * 1024
OVERSIZED = 33 * MiB
BOMB_INFLATED = 1024 * MiB  # what the gzip body below inflates to
PIECE = b" " * MiB  # shared, so the server allocates nothing per response
MEMORY_BOUND = 2 * MAX_RESPONSE_BYTES  # well below the bomb, and the SDK's own cap times two
NULL_MEMBER = b'{"member":null}'


@functools.cache
def gzip_bomb() -> bytes:
    """A ~1 MB gzip member that inflates to 1 GiB of zeros (valid CRC and length).

    Built from one deflated 16 MiB block repeated: after a full flush deflate output is
    byte-aligned and independent of what came before, so the block can be copied.
    """
    block_size = 16 * MiB
    zeros = bytes(block_size)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    final = b"\x03\x00"  # an empty final fixed-Huffman block
    crc = 0
    for _ in range(BOMB_INFLATED // block_size):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, BOMB_INFLATED & 0xFFFFFFFF)
    return header + block * (BOMB_INFLATED // block_size) + final + trailer


def _announced(conn: RawConnection) -> None:
    conn.send(
        response_head(200, {"Content-Type": "application/json", "Content-Length": str(OVERSIZED)})
    )
    for _ in range(OVERSIZED // MiB):
        if not conn.send(PIECE):
            return


def _chunked(conn: RawConnection) -> None:
    conn.send(
        response_head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    )
    for _ in range(OVERSIZED // MiB):
        if not conn.send(b"%x\r\n%s\r\n" % (len(PIECE), PIECE)):
            return
    conn.send(b"0\r\n\r\n")


def _until_close(conn: RawConnection) -> None:
    conn.send(response_head(200, {"Content-Type": "application/json", "Connection": "close"}))
    for _ in range(OVERSIZED // MiB):
        if not conn.send(PIECE):
            return


def _gzip_bomb(conn: RawConnection) -> None:
    bomb = gzip_bomb()
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "Content-Length": str(len(bomb)),
    }
    conn.send(response_head(200, headers) + bomb)


SHAPES: dict[str, Callable[[RawConnection], None]] = {
    "content-length-33MiB": _announced,
    "chunked-33MiB": _chunked,
    "close-delimited-33MiB": _until_close,
    "gzip-bomb-1GiB": _gzip_bomb,
}


class Oversized:
    """Answers the first request with an oversized body, later ones with a small JSON body."""

    def __init__(self, shape: Callable[[RawConnection], None]) -> None:
        self.shape = shape
        self.served = 0

    def __call__(self, conn: RawConnection) -> None:
        while conn.read_request() is not None:
            self.served += 1
            if self.served == 1:
                self.shape(conn)
                return  # the connection is spoiled either way: close it
            conn.send(json_response(NULL_MEMBER))


@pytest.fixture(autouse=True)
def _bomb_ready() -> None:
    """Build the bomb before any memory is measured."""
    gzip_bomb()


@pytest.fixture
def peak_memory() -> Iterator[Callable[[], int]]:
    """Trace allocations (all threads) from here; the callable returns the peak so far."""
    tracemalloc.start()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_bomb_is_a_bomb() -> None:
    """The test's gzip body is small and really inflates to 1 GiB (so the next tests mean something)."""
    bomb = gzip_bomb()
    assert len(bomb) < 2 * MiB
    inflater = zlib.decompressobj(31)
    size = 0
    data = bomb
    while data:
        size += len(inflater.decompress(data, 64 * MiB))
        data = inflater.unconsumed_tail
    assert inflater.eof
    assert size == BOMB_INFLATED


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
async def test_async_oversized_response_is_refused_with_bounded_memory(
    raw_server: type[RawServer], peak_memory: Callable[[], int], shape: Any
) -> None:
    """Async: a body over 32 MiB (sized, chunked, close-delimited or a gzip bomb) is refused."""
    server = raw_server(Oversized(shape))
    async with AsyncChimeKit("sk_test", base_url=server.url(), max_retries=0, timeout=30) as client:
        with pytest.raises(APIResponseValidationError, match="32 MiB"):
            await client.audience.get("user_1")
        peak = peak_memory()
        assert await client.audience.get("user_1") is None  # the client still works
    assert peak < MEMORY_BOUND, f"peak {peak / MiB:.1f} MiB"
    assert_no_resource_warnings()


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_sync_oversized_response_is_refused_with_bounded_memory(
    raw_server: type[RawServer], peak_memory: Callable[[], int], shape: Any
) -> None:
    """Sync: a body over 32 MiB (sized, chunked, close-delimited or a gzip bomb) is refused."""
    server = raw_server(Oversized(shape))
    with ChimeKit("sk_test", base_url=server.url(), max_retries=0, timeout=30) as client:
        with pytest.raises(APIResponseValidationError, match="32 MiB"):
            client.audience.get("user_1")
        peak = peak_memory()
        assert client.audience.get("user_1") is None  # the client still works
    assert peak < MEMORY_BOUND, f"peak {peak / MiB:.1f} MiB"
    assert_no_resource_warnings()


def test_oversized_error_is_retryable_never() -> None:
    """APIResponseValidationError is a ChimeKitError that the retry policy does not retry."""
    from chimekit_core import ChimeKitError, RetryPolicy

    error = APIResponseValidationError("x", status_code=200, body=None, request_id=None)
    assert isinstance(error, ChimeKitError)
    assert not RetryPolicy(max_retries=3).is_retryable(error)
