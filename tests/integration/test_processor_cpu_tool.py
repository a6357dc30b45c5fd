"""``tools/processor_cpu.py`` (the processor's CPU per element, for comparing changes) runs to the
end on a real MongoDB-protocol server, as a developer runs it: it prints its figure only once every
element of its operation succeeded (it raises otherwise)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from batchops.devstack import Endpoints

TOOL = Path(__file__).parents[2] / "tools" / "processor_cpu.py"


def test_the_processor_cpu_tool_processes_every_element(servers: Endpoints) -> None:
    done = subprocess.run(
        [sys.executable, str(TOOL), "--mongo-uri", servers.mongo_uri, "--elements", "700", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=600,  # generous: only a hung run takes this long
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("processor CPU per no-op element (µs): "), done.stdout
    assert float(done.stdout.split(":")[1]) > 0
