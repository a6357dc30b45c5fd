"""``python -m batchops.bench``: the ``batchops bench`` command without the main CLI."""

from __future__ import annotations

import typer

from batchops.bench.command import bench


def main() -> None:
    typer.run(bench)


if __name__ == "__main__":
    main()
