"""The update that records a piece of outcomes in one statement."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from batchops.store.work.outcome_updates import piece_update

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _changes(duration: int, invocation: str, error: str = "") -> dict[str, object]:
    return {
        "status": "Succeeded",
        "processedDate": NOW,
        "durationMs": duration,
        "error": error,
        "metadata.invocationEventId": invocation,
    }


def test_equal_outcomes_share_a_plain_set() -> None:
    changes = _changes(3, "x")
    assert piece_update(["a", "b"], [changes, dict(changes)]) == {"$set": changes}


def test_varying_fields_pick_the_element_value_by_its_position_in_the_piece() -> None:
    update = piece_update(["a", "b"], [_changes(3, "i-a"), _changes(3, "i-b")])
    assert isinstance(update, list) and len(update) == 1
    fields = update[0]["$set"]
    # Equal fields are constants, literal even when they look like an operator or a path.
    assert fields["durationMs"] == {"$literal": 3}
    assert fields["processedDate"] == {"$literal": NOW}
    picked = fields["metadata.invocationEventId"]["$let"]
    assert picked["vars"] == {"outcomePosition": {"$indexOfArray": [{"$literal": ["a", "b"]}, "$_id"]}}
    assert picked["in"] == {"$arrayElemAt": [{"$literal": ["i-a", "i-b"]}, "$$outcomePosition"]}


def test_values_that_look_like_paths_stay_literal() -> None:
    update = piece_update(["a", "b"], [_changes(1, "x", "$oops"), _changes(1, "x", "$$ROOT")])
    assert isinstance(update, list)
    values = update[0]["$set"]["error"]["$let"]["in"]["$arrayElemAt"][0]
    assert values == {"$literal": ["$oops", "$$ROOT"]}


def test_ids_and_changes_must_pair_up() -> None:
    with pytest.raises(ValueError):
        piece_update(["a"], [])
    with pytest.raises(ValueError):
        piece_update([], [])
