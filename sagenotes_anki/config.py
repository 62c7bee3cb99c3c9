"""Build settings from ``[tool.sagenotes-anki]`` in a pyproject.toml, or a ``sagenotes.toml``.

Lookup, first found wins: ``NOTES_DIR/sagenotes.toml`` (keys at the top level), else the
``[tool.sagenotes-anki]`` table of the nearest ``pyproject.toml`` in ``NOTES_DIR`` or one of
its parents (only the nearest one is read, as ruff and black do, so a settings file of an
enclosing project never leaks into a nested one). Command-line options win over the file;
``Config.options`` does that merge.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .build import CARD_KINDS, BuildOptions
from .cards.notetypes import KIND_ALIASES, card_kinds
from .errors import SageNotesError
from .parse.sections import KINDS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

SAGENOTES_TOML = "sagenotes.toml"
PYPROJECT_TOML = "pyproject.toml"
TABLE = "sagenotes-anki"
SETTINGS = ("deck-name", "vault-name", "card-kinds", "section-aliases", "strict", "keep-going")


class ConfigError(SageNotesError):
    """Raised by ``load_config`` for unreadable TOML, an unknown key, or a value of a wrong type."""


@dataclass(frozen=True)
class Config:
    """Settings read from a file; ``None`` means the file does not set that key."""

    deck_name: str | None = None
    vault_name: str | None = None
    card_kinds: frozenset[str] | None = None
    section_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    strict: bool | None = None
    keep_going: bool | None = None
    source: Path | None = None  # the file these came from, None when there was none

    def options(self, **overrides: Any) -> BuildOptions:
        """BuildOptions from this file, with every override that is not None winning."""
        values: dict[str, Any] = {
            "deck_name": self.deck_name,
            "vault_name": self.vault_name,
            "card_kinds": self.card_kinds,
            "section_aliases": self.section_aliases or None,
            "strict": self.strict,
            "keep_going": self.keep_going,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["deck_name"] is not None:
            check_deck_name(values["deck_name"])
        return BuildOptions(**{k: v for k, v in values.items() if v is not None})


def check_deck_name(name: str) -> None:
    """Raise ConfigError for a deck name Anki would turn into decks named "blank": an empty
    part between ``::`` (``::``, ``a::::b``, ``a::``), or a control character."""
    parts = name.split("::")
    if any(not part.strip() for part in parts) or any(ord(c) < 32 for c in name):
        raise ConfigError(
            f"deck name {name!r}: every part between '::' needs a name (e.g. 'AWS::SageNotes'),"
            " and no control characters"
        )


def find_config(notes_dir: Path) -> tuple[Path, tuple[str, ...]] | None:
    """The settings file for ``notes_dir`` and the table path inside it, or None."""
    own = notes_dir / SAGENOTES_TOML
    if own.is_file() or (own.exists() and not own.is_dir()):  # a FIFO is refused, not passed
        return own, ()
    for folder in (notes_dir.resolve(), *notes_dir.resolve().parents):
        candidate = folder / PYPROJECT_TOML
        if candidate.is_file():
            return candidate, ("tool", TABLE)
    return None


def load_config(notes_dir: Path) -> Config:
    """The settings that apply to ``notes_dir``; an empty Config when no file sets any."""
    found = find_config(notes_dir)
    if found is None:
        return Config()
    path, table_path = found
    from .source.read import read_note  # regular files of up to 1 MiB, never blocking

    try:
        document = tomllib.loads(read_note(str(path.parent), path.name).decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except RecursionError as exc:
        raise ConfigError(f"{path}: nests too deep to read; settings need no nesting") from exc
    table: Any = document
    for name in table_path:
        table = table.get(name, {}) if isinstance(table, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{'.'.join(table_path)}] must be a table")
    if not table:
        return Config()
    return parse_table(table, path)


def parse_table(table: Mapping[str, Any], path: Path) -> Config:
    """Validate one settings table; every problem names the file and the key."""
    unknown = sorted(set(table) - set(SETTINGS))
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} (known keys: {', '.join(SETTINGS)})")
    return Config(
        deck_name=_string(table, "deck-name", path),
        vault_name=_string(table, "vault-name", path),
        card_kinds=_card_kinds(table, path),
        section_aliases=_aliases(table, path),
        strict=_bool(table, "strict", path),
        keep_going=_bool(table, "keep-going", path),
        source=path,
    )


def parse_card_kinds(names: list[str] | tuple[str, ...], where: str) -> frozenset[str]:
    """Card kinds from names; ``where`` says where they came from in the error message."""
    cleaned = [n.strip().lower() for n in names if n.strip()]
    bad = [n for n in cleaned if n not in CARD_KINDS and n not in KIND_ALIASES]
    if bad:
        raise ConfigError(
            f"{where}: unknown card kind {bad[0]!r} (choose from {', '.join(sorted(CARD_KINDS))})"
        )
    if not cleaned:
        raise ConfigError(f"{where}: name at least one card kind")
    return card_kinds(frozenset(cleaned))  # "keypoint", the old name, is "scenario"


def _string(table: Mapping[str, Any], key: str, path: Path) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {key} must be a non-empty string, got {value!r}")
    return value.strip()


def _bool(table: Mapping[str, Any], key: str, path: Path) -> bool | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: {key} must be true or false, got {value!r}")
    return value


def _string_list(value: Any, key: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} must be a list of strings, got {value!r}")
    return tuple(value)


def _card_kinds(table: Mapping[str, Any], path: Path) -> frozenset[str] | None:
    if "card-kinds" not in table:
        return None
    names = _string_list(table["card-kinds"], "card-kinds", path)
    return parse_card_kinds(names, f"{path}: card-kinds")


def _aliases(table: Mapping[str, Any], path: Path) -> Mapping[str, tuple[str, ...]]:
    value = table.get("section-aliases", {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: section-aliases must be a table of kind = [names]")
    aliases: dict[str, tuple[str, ...]] = {}
    for kind, names in value.items():
        if kind not in KINDS:
            raise ConfigError(
                f"{path}: section-aliases: unknown section kind {kind!r} "
                f"(choose from {', '.join(KINDS)})"
            )
        aliases[kind] = _string_list(names, f"section-aliases.{kind}", path)
    return aliases
