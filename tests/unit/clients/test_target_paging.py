from __future__ import annotations

from collections.abc import Callable

import pytest

from batchops.clients.targeting import _pages


def pager(
    items: list[int], total: int | None = None
) -> tuple[list[int], Callable[[int], tuple[int, list[int]]]]:
    asked: list[int] = []

    def fetch(page: int) -> tuple[int, list[int]]:
        asked.append(page)
        return (len(items) if total is None else total), items[(page - 1) * 3 : page * 3]

    return asked, fetch


@pytest.mark.parametrize(("count", "pages"), [(0, [1]), (2, [1]), (3, [1]), (7, [1, 2, 3]), (9, [1, 2, 3])])
def test_pages_stop_at_the_total(count: int, pages: list[int]) -> None:
    items = list(range(count))
    asked, fetch = pager(items)
    assert [n for page in _pages(fetch, 3) for n in page] == items
    assert asked == pages


def test_a_short_page_ends_the_stream_even_if_the_total_says_more() -> None:
    asked, fetch = pager(list(range(4)), total=100)
    assert sum(len(page) for page in _pages(fetch, 3)) == 4
    assert asked == [1, 2]
