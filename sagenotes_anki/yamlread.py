"""Front matter read by PyYAML (through python-frontmatter's handler): what
:mod:`plainyaml` does not read itself. Imported only when such front matter turns up."""

from __future__ import annotations

from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

YAMLError = yaml.YAMLError


def load_yaml(raw: str) -> Any:
    """The YAML, read by libyaml when PyYAML has it (ten times faster); a problem is then
    looked at again with PyYAML's own reader, whose messages the diagnostics quote."""
    if _FAST_LOADER is not None:
        try:
            return YAMLHandler().load(raw, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return YAMLHandler().load(raw, Loader=SAFE_LOADER)


def _timestamp_or_text(loader: Any, node: Any) -> Any:
    """A date as PyYAML reads it; an impossible one (``2025-13-45``) as the text written."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


def _loader(base: Any) -> Any:
    loader: Any = type(f"Sagenotes{base.__name__}", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
    return loader


SAFE_LOADER = _loader(yaml.SafeLoader)
_FAST_LOADER = _loader(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else None
