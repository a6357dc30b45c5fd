"""``tools/processor_cpu.py`` (the processor's CPU per element, for comparing changes) runs to the
end on a real MongoDB-protocol server: every element of its operation succeeds."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from batchops.devstack import Endpoints
from batchops.store import MongoConnector

TOOL = Path(__file__).parents[2] / "tools" / "processor_cpu.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("batchops_tools_processor_cpu", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_processor_cpu_tool_processes_every_element(servers: Endpoints, unique_name: str) -> None:
    connector = MongoConnector(servers.mongo_uri, f"{unique_name}-")
    try:
        figure = _tool().run_once(connector, 700)  # two batches, the second partial
    finally:
        connector.close()
    assert figure > 0  # it raises unless all 700 elements succeeded and the operation finished
