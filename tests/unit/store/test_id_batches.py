from batchops.store.id_batches import IN_FILTER_IDS, id_batches


def test_pieces_cover_every_id_once_in_order() -> None:
    ids = list(range(2 * IN_FILTER_IDS + 7))
    pieces = list(id_batches(ids))
    assert [len(p) for p in pieces] == [IN_FILTER_IDS, IN_FILTER_IDS, 7]
    assert [i for piece in pieces for i in piece] == ids


def test_no_ids_no_pieces() -> None:
    assert list(id_batches([])) == []
