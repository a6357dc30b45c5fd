"""The flat ``BATCHOPS_*`` names, mapped onto the nested settings groups.

Every setting keeps the flat environment variable it always had (``BATCHOPS_AUTH_JWT_SECRET``),
while the code holds it in its group (``settings.auth.hs256_secret``). Both the environment and
keyword overrides speak flat names; ``nest_flat_names`` files each under its group before
validation, and ``variable_at`` turns an error's location back into the variable's name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from batchops.config.base import env_name, settings_fields


@cache
def flat_paths(model: type[BaseModel]) -> Mapping[str, tuple[str, ...]]:
    """Flat name -> path of field names, for every setting of ``model``."""
    paths: dict[str, tuple[str, ...]] = {}
    for path, flat, _field in settings_fields(model):
        if flat in paths:
            raise TypeError(f"two settings share the name {env_name(flat)}")
        paths[flat] = path
    return paths


@cache
def _variables_by_location(model: type[BaseModel]) -> Mapping[tuple[str, ...], str]:
    """Error locations -> variable names: by field names, and by the alias a nested group was
    given its value under."""
    variables: dict[tuple[str, ...], str] = {}
    for path, flat, _field in settings_fields(model):
        variables[path] = variables[(*path[:-1], flat)] = env_name(flat)
    return variables


def variable_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> str | None:
    """The variable an error location points into (the longest match: an error inside a JSON
    value belongs to its setting), or None for a check across settings."""
    variables = _variables_by_location(model)
    parts = tuple(str(part) for part in loc)
    for end in range(len(parts), 0, -1):
        if parts[:end] in variables:
            return variables[parts[:end]]
    return None


def nest_flat_names(model: type[BaseModel], data: Any) -> Any:
    """Move each flat-named value into its group. A value given inside its group wins."""
    if not isinstance(data, dict):
        return data
    paths = flat_paths(model)
    nested: dict[str, Any] = {}
    flat_values: list[tuple[tuple[str, ...], Any]] = []
    for key, value in data.items():
        path = paths.get(key)
        if path is not None and len(path) > 1:
            flat_values.append((path, value))
        else:  # a top-level setting, a group given whole, or a name no setting has
            nested[key] = value
    for path, value in flat_values:
        target: dict[str, Any] | None = nested
        for part in path[:-1]:
            target = _group_values(target, part) if target is not None else None
        if target is not None:
            target.setdefault(path[-1], value)
    return nested


def _group_values(parent: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The (copied) mapping of the group ``name`` in ``parent``, created if absent; None if the
    group was given as something else (validation reports that)."""
    given = parent.get(name)
    if given is None:
        values: dict[str, Any] = {}
    elif isinstance(given, BaseModel):  # a built group: what it was given explicitly
        values = {field: getattr(given, field) for field in given.model_fields_set}
    elif isinstance(given, dict):
        values = dict(given)
    else:
        return None
    parent[name] = values
    return values


class FlatEnvironment(PydanticBaseSettingsSource):
    """Reads exactly the ``BATCHOPS_*`` variables of the settings (names case-insensitive, as
    pydantic-settings reads them); values stay text for the models to parse and check."""

    def __call__(self) -> dict[str, Any]:
        environment = {name.upper(): value for name, value in os.environ.items()}
        return {
            flat: environment[env_name(flat)]
            for flat in flat_paths(self.settings_cls)
            if env_name(flat) in environment
        }

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ reads every setting at once.
        return None, field_name, False


def flat_environment(settings_cls: type[BaseSettings]) -> FlatEnvironment:
    return FlatEnvironment(settings_cls)
