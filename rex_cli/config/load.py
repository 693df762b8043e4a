"""Compose Hydra config and turn it into a validated, frozen ``RexConfig``.

This is the only module that touches ``DictConfig``. Every failure is raised as
``ConfigError`` with a one-line message that names the offending key or value.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import re
import typing
from collections.abc import Sequence
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import (
    ConfigCompositionException,
    HydraException,
    MissingConfigException,
    OverrideParseException,
)
from omegaconf import DictConfig, ListConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from rex_cli.config.schema import RexConfig

__all__ = [
    "ConfigError",
    "compose_config",
    "config_dir",
    "group_options",
    "load_config",
    "package_dir",
    "to_yaml",
    "validate",
    "validate_many",
]

CONFIG_NAME = "config"


class ConfigError(ValueError):
    """Bad configuration: the message is one line naming the offending key or value."""


def package_dir() -> Path:
    """The installed ``rex_cli`` package folder (it ships ``conf/``, ``studies/``, ``data/``)."""
    return Path(str(resources.files("rex_cli")))


def config_dir() -> Path:
    """Return the config folder: ``$REX_CONFIG_DIR`` (``rex --config-dir``) or the shipped one.

    The shipped configs live inside the package (``rex_cli/conf``), so a wheel install
    finds them; a user's own folder (a copy made by ``rex config export DIR``, edited)
    replaces them whole.
    """
    env = os.environ.get("REX_CONFIG_DIR")
    path = Path(env).expanduser() if env else package_dir() / "conf"
    if not (path / f"{CONFIG_NAME}.yaml").is_file():
        where = "REX_CONFIG_DIR / --config-dir" if env else "the installed package"
        raise ConfigError(f"config dir {path} (from {where}) has no {CONFIG_NAME}.yaml")
    return path


def group_options(group: str) -> list[str]:
    """Return the option names of a config group (YAML files of ``conf/<group>/``)."""
    folder = config_dir() / group
    return sorted(p.stem for p in folder.glob("*.yaml"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def _schema() -> DictConfig:
    """The structured schema with every node writable (frozen dataclasses mark it read-only).

    Built once per process (merging never mutates it).
    """
    node = OmegaConf.structured(RexConfig)
    _unfreeze(node)
    return node


def _unfreeze(node: DictConfig | ListConfig) -> None:
    OmegaConf.set_readonly(node, None)
    if isinstance(node, DictConfig):
        for key in node.keys():
            child = node._get_node(key)
            if isinstance(child, DictConfig | ListConfig):
                _unfreeze(child)
            elif child is not None:
                child._set_flag("readonly", None)


def _explain_hydra(exc: Exception, overrides: Sequence[str]) -> str:
    """Turn a Hydra composition error into one line naming the key or option."""
    text = _one_line(str(exc))
    missing = re.search(r"Could not find '([^']+)/([^'/]+)'", text)
    if missing:
        group, option = missing.group(1), missing.group(2)
        try:
            options = ", ".join(group_options(group)) or "none"
        except ConfigError:
            options = "none"
        return f"{group}: no option '{option}' (available: {options})"
    not_struct = re.search(r"Could not override '([^']+)'", text)
    if not_struct:
        key = not_struct.group(1)
        if "not in struct" in text or "Key '" in text or "To append" in text:
            return f"{key}: unknown key (check spelling; `rex config show` lists every key)"
        return f"{key}: {text}"
    append = re.search(r"Could not append to config. An item is already at '([^']+)'", text)
    if append:
        return f"{append.group(1)}: already set; override it without '+'"
    if "mismatched input" in text or "no viable alternative" in text or "extraneous" in text:
        return f"cannot parse overrides {list(overrides)}: {text}"
    return text


def compose_config(overrides: Sequence[str] = ()) -> DictConfig:
    """Compose ``conf/config.yaml`` with command-line style overrides.

    Args:
        overrides: Hydra overrides such as ``market.tick=0.01`` or ``population=tiny``.

    Returns:
        The composed, unvalidated ``DictConfig``.

    Raises:
        ConfigError: A missing option, unknown key or unparsable override.
    """
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            cfg = compose(config_name=CONFIG_NAME, overrides=list(overrides))
    except (MissingConfigException, ConfigCompositionException) as exc:
        raise ConfigError(_explain_hydra(exc, overrides)) from exc
    except OmegaConfBaseException as exc:
        raise ConfigError(_explain_omegaconf(exc)) from exc
    except OverrideParseException as exc:
        first = _one_line(str(exc).split("\n")[0])
        raise ConfigError(f"{first}: see `rex config show --help` for the syntax") from exc
    except HydraException as exc:
        raise ConfigError(_explain_hydra(exc, overrides)) from exc
    finally:
        GlobalHydra.instance().clear()
    return cfg


def _explain_omegaconf(exc: OmegaConfBaseException) -> str:
    key = getattr(exc, "full_key", None)
    first = _one_line(str(exc).split("\n")[0])
    msg = getattr(exc, "msg", None)
    if msg:
        first = _one_line(str(msg))
    first = first.split(" full_key:")[0]
    if key:
        if "not in" in first and "Key" in first:
            return f"{key}: unknown key (check spelling; `rex config show` lists every key)"
        return f"{key}: {first}"
    return first


def _build(node: Any, cls: Any, path: str) -> Any:
    """Instantiate ``cls`` (a dataclass) from ``node``, children first, naming failures."""
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        value = node[f.name]
        ftype = hints[f.name]
        child_path = f"{path}.{f.name}" if path else f.name
        if dataclasses.is_dataclass(ftype):
            kwargs[f.name] = _build(value, ftype, child_path)
        elif isinstance(value, ListConfig | DictConfig):
            kwargs[f.name] = OmegaConf.to_container(value, resolve=True)
        else:
            if isinstance(ftype, type) and issubclass(ftype, Enum) and not isinstance(value, ftype):
                value = ftype(value)
            if isinstance(value, float) and not math.isfinite(value):
                raise ConfigError(f"{child_path} must be a finite number, got {value!r}")
            kwargs[f.name] = value
    try:
        return cls(**kwargs)
    except ValueError as exc:
        text = _one_line(str(exc))
        return _reraise(path, text, exc)


def _reraise(path: str, text: str, exc: Exception) -> Any:
    raise ConfigError(f"{path}.{text}" if path else text) from exc


def validate(cfg: DictConfig) -> RexConfig:
    """Merge a composed config onto the schema and build the frozen ``RexConfig``.

    Raises:
        ConfigError: Unknown key, wrong type, missing value (``???``) or a failed range
            check; the message names the key.
    """
    try:
        merged = OmegaConf.merge(_schema(), cfg)
        missing = sorted(OmegaConf.missing_keys(merged))
        if missing:
            raise ConfigError(f"{missing[0]}: missing value (???): set it on the command line")
        OmegaConf.resolve(merged)
    except OmegaConfBaseException as exc:
        raise ConfigError(_explain_omegaconf(exc)) from exc
    result = _build(merged, RexConfig, "")
    assert isinstance(result, RexConfig)
    return result


def _compose_checked(job: Sequence[str]) -> DictConfig:
    """``compose`` inside an initialised Hydra session, errors as ``ConfigError``."""
    try:
        return compose(config_name=CONFIG_NAME, overrides=list(job))
    except (MissingConfigException, ConfigCompositionException) as exc:
        raise ConfigError(_explain_hydra(exc, job)) from exc
    except OverrideParseException as exc:
        first = _one_line(str(exc).split("\n")[0])
        raise ConfigError(f"{first}: see `rex config show --help` for the syntax") from exc
    except HydraException as exc:
        raise ConfigError(_explain_hydra(exc, job)) from exc
    except OmegaConfBaseException as exc:
        raise ConfigError(_explain_omegaconf(exc)) from exc


def validate_many(jobs: Sequence[Sequence[str]]) -> list[RexConfig]:
    """Compose and validate many override lists in one Hydra session (a sweep's grid).

    Hydra composes once per distinct combination of group choices (``population=tiny``)
    and ``+``/``~`` overrides; plain ``key=value`` overrides are then applied to a copy
    of that composition, as Hydra would, and every result is validated. A grid of
    hundreds of points is checked in well under a second.

    Returns:
        The validated config of every job, in order.

    Raises:
        ConfigError: The first job that does not compose or validate, naming the key.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    root = config_dir()
    parser = OverridesParser.create()
    cache: dict[tuple[str, ...], DictConfig] = {}
    out: list[RexConfig] = []
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(root), version_base="1.3"):
            for job in jobs:
                try:
                    parsed = parser.parse_overrides(list(job))
                except OverrideParseException as exc:
                    first = _one_line(str(exc).split("\n")[0])
                    raise ConfigError(
                        f"{first}: see `rex config show --help` for the syntax"
                    ) from exc
                structural = tuple(
                    str(o.input_line)
                    for o in parsed
                    if o.is_add() or o.is_delete() or o.is_force_add()
                    or (root / o.key_or_group).is_dir() or o.key_or_group.startswith("hydra")
                )  # fmt: skip
                base = cache.get(structural)
                if base is None:
                    base = cache[structural] = _compose_checked(structural)
                cfg = base.copy()
                for o in parsed:
                    if o.input_line in structural:
                        continue
                    try:
                        OmegaConf.update(cfg, o.key_or_group, o.value(), merge=True)
                    except OmegaConfBaseException as exc:
                        raise ConfigError(_explain_omegaconf(exc)) from exc
                out.append(validate(cfg))
    finally:
        GlobalHydra.instance().clear()
    return out


def load_config(overrides: Sequence[str] = ()) -> tuple[RexConfig, DictConfig]:
    """Compose and validate: the typed config and the resolved ``DictConfig`` (for saving)."""
    raw = compose_config(overrides)
    cfg = validate(raw)
    return cfg, raw


def to_yaml(cfg: RexConfig) -> str:
    """Render a validated config as YAML (enums as their values)."""
    node = OmegaConf.structured(cfg)
    return OmegaConf.to_yaml(node, resolve=True)
