"""tools/check_sizes.py: the size limits CI enforces on service/batchops."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

TOOL = Path(__file__).resolve().parents[2] / "tools" / "check_sizes.py"


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_sizes", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flags_long_modules_functions_and_wide_constructors(tmp_path: Path) -> None:
    tool = load_tool()
    package = tmp_path / "service" / "batchops"
    package.mkdir(parents=True)
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    params = ", ".join(f"p{i}: int" for i in range(9))
    fields = "\n".join(f"    f{i}: int" for i in range(9))
    (package / "wide.py").write_text(
        f"from dataclasses import dataclass\n\n\ndef long() -> None:\n{body}\n\n\n"
        f"class Wide:\n    def __init__(self, {params}) -> None:\n        pass\n\n\n"
        f"@dataclass\nclass Many:\n{fields}\n"
    )
    (package / "big.py").write_text("x = 1\n" * 401)
    (package / "fine_pb2.py").write_text("x = 1\n" * 999)  # generated: exempt
    paths = [path for path in sorted(package.glob("*.py")) if not tool.generated(path)]
    found = [problem for path in paths for problem in tool.problems(path, package)]
    assert any("big.py: module has 401 lines" in p for p in found)
    assert any("long has 62 lines" in p for p in found)
    assert any("__init__ takes 9 parameters" in p for p in found)
    assert any("dataclass Many has 9 fields" in p for p in found)
    assert not any("fine_pb2" in p for p in found)


def test_the_main_reports_and_fails(tmp_path: Path) -> None:
    package = tmp_path / "service" / "batchops"
    package.mkdir(parents=True)
    (package / "ok.py").write_text("x = 1\n")
    assert load_tool().main(package) == 0
    (package / "big.py").write_text("x = 1\n" * 401)
    assert load_tool().main(package) == 1
