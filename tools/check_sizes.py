"""Fail when a module, function or constructor in service/batchops outgrows the project's limits.

Limits (CONTRIBUTING.md): a module over 400 lines, a function over 60 lines, or a constructor
(``__init__`` or a dataclass's generated one) over 8 parameters is a sign that one idea has no home
of its own. Generated protobuf modules are exempt.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_CONSTRUCTOR_PARAMETERS = 8
ROOT = Path(__file__).resolve().parent.parent / "service" / "batchops"


def generated(path: Path) -> bool:
    return path.name.endswith(("_pb2.py", "_pb2_grpc.py"))


def is_dataclass(node: ast.ClassDef) -> bool:
    return any("dataclass" in ast.unparse(decorator) for decorator in node.decorator_list)


def dataclass_fields(node: ast.ClassDef) -> int:
    # ClassVar annotations are not constructor parameters.
    return sum(
        1
        for statement in node.body
        if isinstance(statement, ast.AnnAssign) and "ClassVar" not in ast.unparse(statement.annotation)
    )


def constructor_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    arguments = node.args
    return len(arguments.posonlyargs) + len(arguments.args) + len(arguments.kwonlyargs) - 1  # self


def problems(path: Path, root: Path = ROOT) -> Iterator[str]:
    source = path.read_text()
    where = path.relative_to(root.parent.parent)
    lines = source.count("\n")
    if lines > MAX_MODULE_LINES:
        yield f"{where}: module has {lines} lines (limit {MAX_MODULE_LINES})"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                yield f"{where}:{node.lineno}: {node.name} has {length} lines (limit {MAX_FUNCTION_LINES})"
            if node.name == "__init__" and constructor_parameters(node) > MAX_CONSTRUCTOR_PARAMETERS:
                yield (
                    f"{where}:{node.lineno}: __init__ takes {constructor_parameters(node)} parameters "
                    f"(limit {MAX_CONSTRUCTOR_PARAMETERS})"
                )
        elif isinstance(node, ast.ClassDef) and is_dataclass(node):
            fields = dataclass_fields(node)
            if fields > MAX_CONSTRUCTOR_PARAMETERS:
                limit = MAX_CONSTRUCTOR_PARAMETERS
                yield f"{where}:{node.lineno}: dataclass {node.name} has {fields} fields (limit {limit})"


def main(root: Path = ROOT) -> int:
    found = [
        problem
        for path in sorted(root.rglob("*.py"))
        if not generated(path)
        for problem in problems(path, root)
    ]
    for problem in found:
        print(problem)
    if found:
        print(f"{len(found)} size limit(s) exceeded; split by idea (see CONTRIBUTING.md)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
