"""Print the README's configuration reference (a Markdown table) from the Settings model: one
row per setting, in group order, named by its BATCHOPS_* variable."""

from __future__ import annotations

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from batchops.config import Settings, env_name, settings_fields

COMPUTED = {"instance_name"}  # defaults that depend on the machine: not worth printing


def default_text(name: str, field: FieldInfo) -> str:
    if field.default_factory is not None:
        return "(computed)" if name in COMPUTED else repr(field.default_factory())  # type: ignore[call-arg]
    if field.default is PydanticUndefined or field.default is None:
        return "(unset)"
    return repr(field.default)


def rows() -> list[str]:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for path, flat, field in settings_fields(Settings):
        default = default_text(path[-1], field)
        lines.append(f"| `{env_name(flat)}` | `{default}` | {field.description or ''} |")
    return lines


if __name__ == "__main__":
    print("\n".join(rows()))
