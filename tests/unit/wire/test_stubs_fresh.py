"""The committed stubs in service/batchops/wire must match the protos exactly."""

from __future__ import annotations

import importlib.util
import pathlib
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit

REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
COMMITTED_ROOT = REPO_ROOT / "service"
COMMITTED_WIRE = COMMITTED_ROOT / "batchops" / "wire"
HINT = "generated stubs are out of date with protos/; run `make protos` and commit the result"


def _load_generator() -> ModuleType:
    path = REPO_ROOT / "tools" / "gen_protos.py"
    spec = importlib.util.spec_from_file_location("batchops_tools_gen_protos", path)
    assert spec is not None and spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, list[pathlib.Path]]:
    out_dir = tmp_path_factory.mktemp("stubs")
    files: list[pathlib.Path] = _load_generator().generate(out_dir)
    return out_dir, files


def test_generation_produces_stubs(generated: tuple[pathlib.Path, list[pathlib.Path]]) -> None:
    _, files = generated
    assert files, "no stubs were generated"
    assert all(f.name.endswith(("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", "_pb2_grpc.pyi")) for f in files)


def test_every_grpc_module_has_typed_stubs(generated: tuple[pathlib.Path, list[pathlib.Path]]) -> None:
    _, files = generated
    names = {f.name for f in files}
    grpc_modules = [name for name in names if name.endswith("_pb2_grpc.py")]
    assert grpc_modules, "no gRPC modules were generated"
    untyped = sorted(name for name in grpc_modules if f"{name}i" not in names)
    assert not untyped, f"gRPC modules without mypy-protobuf stubs: {untyped}"


def test_committed_stubs_match_fresh_generation(generated: tuple[pathlib.Path, list[pathlib.Path]]) -> None:
    out_dir, files = generated
    missing: list[str] = []
    differing: list[str] = []
    for fresh in files:
        rel = fresh.relative_to(out_dir)
        committed = COMMITTED_ROOT / rel
        if not committed.is_file():
            missing.append(str(rel))
        elif committed.read_bytes() != fresh.read_bytes():
            differing.append(str(rel))
    assert not missing, f"{HINT}; missing: {missing}"
    assert not differing, f"{HINT}; differing: {differing}"


def test_no_committed_stub_without_proto(generated: tuple[pathlib.Path, list[pathlib.Path]]) -> None:
    out_dir, files = generated
    expected = {f.relative_to(out_dir) for f in files}
    committed = {
        p.relative_to(COMMITTED_ROOT)
        for p in COMMITTED_WIRE.glob("*_pb2*")
        if p.is_file() and p.suffix in (".py", ".pyi")
    }
    orphans = sorted(str(p) for p in committed - expected)
    assert not orphans, f"{HINT}; stubs without a proto: {orphans}"


def test_wire_package_marker_exists() -> None:
    assert (COMMITTED_WIRE / "__init__.py").is_file(), HINT
