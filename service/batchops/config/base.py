"""What every settings group shares, and how a group's fields map to their ``BATCHOPS_*`` names.

Each setting is declared once, in its group, with its default, bounds and description. Its
environment variable is ``BATCHOPS_`` + the field's ``validation_alias`` (the flat name batchops
has always used, e.g. ``grpc_client_max_attempts``) or, without an alias, + the field name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.fields import FieldInfo

ENV_PREFIX = "BATCHOPS_"


class SettingsGroup(BaseModel):
    """A frozen group of settings; built by field name in code, by flat name from the environment."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_default=True, validate_by_name=True, validate_by_alias=True
    )


def group_type(field: FieldInfo) -> type[SettingsGroup] | None:
    """The group a field holds, if it holds one (a nested group rather than a setting)."""
    annotation: Any = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, SettingsGroup):
        return annotation
    return None


def flat_name(name: str, field: FieldInfo) -> str:
    alias = field.validation_alias
    return alias if isinstance(alias, str) else name


def settings_fields(
    model: type[BaseModel], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], str, FieldInfo]]:
    """Every setting below ``model`` (depth first, in declaration order): its path of field
    names, its flat name and its field."""
    for name, field in model.model_fields.items():
        nested = group_type(field)
        if nested is not None:
            yield from settings_fields(nested, (*path, name))
        else:
            yield (*path, name), flat_name(name, field), field


def env_name(flat: str) -> str:
    return ENV_PREFIX + flat.upper()
