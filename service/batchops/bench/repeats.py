"""Several runs of the same scenarios on the same servers, judged on their medians.

On a small machine a run's figures move by about 15% with the servers' speed, more than most
changes worth measuring. With ``--repeat N`` every target is judged on the median of its N
values, and the results keep each run's document and each target's values, lowest and highest.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from batchops.bench.targets import Target, evaluate

Results = Mapping[str, Any]


def median_targets(runs: Sequence[Results]) -> list[tuple[Target, list[float | None]]]:
    """Each target judged on the median of the runs that measured it, with every run's value."""
    per_run = [evaluate(run) for run in runs]
    judged = []
    for index, template in enumerate(per_run[0]):
        values = [targets[index].actual for targets in per_run]
        known = [value for value in values if value is not None]
        judged.append((template.judged(statistics.median(known) if known else None), values))
    return judged


def combine(meta: dict[str, Any], runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One results document for several runs: their documents under ``runs``, their errors
    under ``errors`` (named by run), and the targets judged on the medians."""
    errors = {
        f"{scenario} (run {number})": error
        for number, run in enumerate(runs, start=1)
        for scenario, error in (run.get("errors") or {}).items()
    }
    targets = []
    for target, values in median_targets(runs):
        known = [value for value in values if value is not None]
        spread = {"values": values, "lowest": min(known, default=None), "highest": max(known, default=None)}
        targets.append({**target.as_dict(), **spread})
    return {"meta": {**meta, "repeat": len(runs)}, "errors": errors, "runs": list(runs), "targets": targets}
