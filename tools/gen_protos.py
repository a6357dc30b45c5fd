"""Generate the Python protobuf/gRPC stubs from ``protos/``.

Runs the protoc bundled with ``grpcio-tools`` over every ``protos/**/*.proto``
with ``protos/`` as the import root, so ``protos/batchops/wire/x.proto`` becomes
the module ``batchops.wire.x_pb2`` (plus ``x_pb2.pyi``, ``x_pb2_grpc.py`` and, from
mypy-protobuf's ``protoc-gen-mypy_grpc`` plugin, ``x_pb2_grpc.pyi``: typed stubs, so mypy checks
every outgoing call's request and response types).

``python tools/gen_protos.py`` (what ``make protos`` runs) writes into
``service/``; tests call :func:`generate` with a scratch directory to check that
the committed stubs are up to date.
"""

from __future__ import annotations

import importlib.resources
import pathlib
import shutil
import sys

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTO_ROOT = REPO_ROOT / "protos"
DEFAULT_OUT_DIR = REPO_ROOT / "service"
WIRE_PACKAGE_DOC = '"""Generated protobuf/gRPC stubs; regenerate with `make protos`, never edit by hand."""\n'
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", "_pb2_grpc.pyi")
GRPC_TYPES_PLUGIN = "protoc-gen-mypy_grpc"


def proto_files(proto_root: pathlib.Path = PROTO_ROOT) -> list[pathlib.Path]:
    """All ``.proto`` files under ``proto_root``, in a stable order."""
    return sorted(proto_root.rglob("*.proto"))


def _bundled_include_dir() -> str:
    """Directory holding grpc_tools' copy of google/protobuf/*.proto."""
    return str(importlib.resources.files("grpc_tools") / "_proto")


def _grpc_types_plugin() -> str:
    """mypy-protobuf's gRPC plugin: next to this interpreter (a venv run without activating it),
    else on PATH."""
    beside = pathlib.Path(sys.executable).parent / GRPC_TYPES_PLUGIN
    found = str(beside) if beside.is_file() else shutil.which(GRPC_TYPES_PLUGIN)
    if found is None:
        raise RuntimeError(f"{GRPC_TYPES_PLUGIN} not found: install the dev dependencies (mypy-protobuf)")
    return found


def generate(out_dir: pathlib.Path) -> list[pathlib.Path]:
    """Generate stubs for every proto into ``out_dir``; return the files written.

    The returned paths are the generated ``*_pb2.py``, ``*_pb2.pyi``,
    ``*_pb2_grpc.py`` and ``*_pb2_grpc.pyi`` files, sorted. Package ``__init__.py`` files are not
    generated.
    """
    from grpc_tools import protoc

    protos = proto_files()
    if not protos:
        raise RuntimeError(f"no .proto files found under {PROTO_ROOT}")
    out_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{_bundled_include_dir()}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        f"--plugin=protoc-gen-mypy_grpc={_grpc_types_plugin()}",
        f"--mypy_grpc_out={out_dir}",
        *(str(p.relative_to(PROTO_ROOT)) for p in protos),
    ]
    # protoc resolves the relative proto names against the -I roots.
    status = protoc.main(args)
    if status != 0:
        raise RuntimeError(f"protoc failed with exit status {status}")

    written: list[pathlib.Path] = []
    for proto in protos:
        stem = proto.relative_to(PROTO_ROOT).with_suffix("")
        for suffix in GENERATED_SUFFIXES:
            path = out_dir / stem.parent / f"{stem.name}{suffix}"
            if not path.is_file():
                raise RuntimeError(f"protoc did not produce {path}")
            written.append(path)
    return sorted(written)


def ensure_package_init(out_dir: pathlib.Path = DEFAULT_OUT_DIR) -> pathlib.Path:
    """Create ``batchops/wire/__init__.py`` under ``out_dir`` if it is missing."""
    init = out_dir / "batchops" / "wire" / "__init__.py"
    if not init.exists():
        init.parent.mkdir(parents=True, exist_ok=True)
        init.write_text(WIRE_PACKAGE_DOC, encoding="utf-8")
    return init


def remove_stale(written: list[pathlib.Path]) -> list[pathlib.Path]:
    """Delete generated stubs next to ``written`` whose proto no longer exists."""
    keep = set(written)
    removed: list[pathlib.Path] = []
    for directory in sorted({p.parent for p in written}):
        for path in sorted(directory.glob("*_pb2*")):
            if path.is_file() and path.suffix in (".py", ".pyi") and path not in keep:
                path.unlink()
                removed.append(path)
    return removed


def main() -> int:
    written = generate(DEFAULT_OUT_DIR)
    ensure_package_init(DEFAULT_OUT_DIR)
    for path in remove_stale(written):
        print(f"removed stale {path.relative_to(REPO_ROOT)}")
    for path in written:
        print(path.relative_to(REPO_ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
