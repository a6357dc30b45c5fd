"""The one update statement that records a piece of outcomes whose fields differ per element.

An outcome's ``$set`` carries values of its own element (its duration, its attempts and, for a
command invocation, the invocation id in its metadata), so the outcomes of a batch rarely share
one ``$set``. One ``UpdateOne`` per element would cost the server a write (on SecantusDB, a
transaction) each; instead one ``update_many`` over the piece's ids takes an aggregation-pipeline
update in which each varying field picks its element's value by the position of the document's
``_id`` in the piece (``$indexOfArray`` / ``$arrayElemAt``, MongoDB 4.2+). Fields equal across the
piece are plain constants, and a piece whose outcomes are all equal gets a plain ``$set``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from batchops.store.documents import Document
from batchops.store.fields import ID

# The variable that holds the document's position in the piece (inside each varying field).
_POSITION = "outcomePosition"


def piece_update(ids: Sequence[str], changes: Sequence[Document]) -> Document | list[Document]:
    """The update giving the document ``ids[i]`` the fields ``changes[i]`` (every ``changes[i]``
    has the same keys): a ``$set`` when all are equal, else a one-stage pipeline update.

    Every value goes in a ``$literal``: a stored string starting with ``$`` (an error text, a
    metadata value) must never be read as a field path or an operator."""
    if len(ids) != len(changes) or not ids:
        raise ValueError(f"{len(ids)} ids for {len(changes)} outcome changes")
    first = changes[0]
    varying = [key for key in first if any(other[key] != first[key] for other in changes[1:])]
    if not varying:
        return {"$set": dict(first)}
    position = {"$indexOfArray": [{"$literal": list(ids)}, f"${ID}"]}
    fields: dict[str, Any] = {key: {"$literal": first[key]} for key in first if key not in varying}
    for key in varying:
        fields[key] = {
            "$let": {
                "vars": {_POSITION: position},
                "in": {"$arrayElemAt": [{"$literal": [c[key] for c in changes]}, f"$${_POSITION}"]},
            }
        }
    return [{"$set": fields}]
