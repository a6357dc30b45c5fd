"""Keeping resident memory close to what the service actually uses (glibc malloc; a no-op
elsewhere).

glibc gives busy threads arenas of their own (up to eight per core) and keeps freed memory in
them, so a service with a dozen working threads holds several times its working set after one
large request. Two arenas are plenty for our threads, and trimming after large pieces of work
(a million-token create, each initialized target chunk) hands their buffers back to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging

log = logging.getLogger(__name__)

_M_ARENA_MAX = -8  # mallopt parameter number, from glibc's malloc.h
MALLOC_ARENAS = 2


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt  # noqa: B018 - only glibc has both of these
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas; call before starting threads. True if it took effect."""
    libc = _glibc()
    if libc is None:
        return False
    applied = bool(libc.mallopt(_M_ARENA_MAX, arenas))
    log.debug("malloc arenas capped at %d: %s", arenas, applied)
    return applied


def release_free_memory() -> None:
    """Return freed heap pages to the operating system (cheap: a few ms on our heap sizes)."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
