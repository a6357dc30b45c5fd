"""Print the README's configuration reference (a Markdown table) from the Settings model."""

from __future__ import annotations

from pydantic_core import PydanticUndefined

from batchops.config import Settings


def rows() -> list[str]:
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "(computed)" if name == "instance_name" else repr(field.default_factory())  # type: ignore[call-arg]
        elif field.default is PydanticUndefined or field.default is None:
            default = "(unset)"
        else:
            default = repr(field.default)
        lines.append(f"| `BATCHOPS_{name.upper()}` | `{default}` | {field.description or ''} |")
    return lines


if __name__ == "__main__":
    print("\n".join(rows()))
