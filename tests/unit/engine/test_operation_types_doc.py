"""docs/operation-types.md stays true: its worked example (handler module and harness test) is
written out as files and its tests are run; its entry-point registration names that handler."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from batchops.engine.handlers import ENTRY_POINT_GROUP, OperationHandler

DOC = Path(__file__).resolve().parents[3] / "docs" / "operation-types.md"
_BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)
_PATH_LINE = re.compile(r"# (\S+\.py)\n")


def blocks(language: str) -> list[str]:
    return [body for lang, body in _BLOCK.findall(DOC.read_text(encoding="utf-8")) if lang == language]


def python_files() -> dict[str, str]:
    """The doc's Python blocks that open with a ``# path.py`` line, by path."""
    files: dict[str, str] = {}
    for body in blocks("python"):
        match = _PATH_LINE.match(body)
        if match:
            files[match.group(1)] = body
    return files


@pytest.fixture
def example(tmp_path: Path) -> Iterator[ModuleType]:
    """The doc's test module, imported with the doc's handler package importable beside it."""
    files = python_files()
    assert set(files) == {"my_handlers/audit.py", "test_device_audit.py"}, sorted(files)
    for name, body in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    (tmp_path / "my_handlers" / "__init__.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        spec = importlib.util.spec_from_file_location(
            "doc_test_device_audit", tmp_path / "test_device_audit.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "my_handlers" or n.startswith("my_handlers.")]:
            del sys.modules[name]


def test_the_worked_example_passes_its_own_tests(example: ModuleType) -> None:
    tests = [getattr(example, name) for name in dir(example) if name.startswith("test_")]
    assert len(tests) >= 3, "the doc's test block lost its tests"
    for test in tests:
        test()


def test_the_registration_names_the_example_handler(example: ModuleType) -> None:
    [toml] = blocks("toml")
    entries = tomllib.loads(toml)["project"]["entry-points"][ENTRY_POINT_GROUP]
    [target] = entries.values()
    module_name, attribute = target.split(":")
    handler = getattr(importlib.import_module(module_name), attribute)()
    assert isinstance(handler, OperationHandler) and handler.operation_type == "DeviceAudit"
