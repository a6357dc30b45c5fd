import platform

import pytest

from batchops.memory import limit_malloc_arenas, release_free_memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_arena_cap_and_trim_take_effect_on_glibc() -> None:
    assert limit_malloc_arenas() is True
    release_free_memory()  # must not raise; returns pages, changes nothing observable here
