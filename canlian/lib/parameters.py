"""Dated rule parameters read from YAML files: which value is in force on a date, in a region.

One parameter per file, named after the parameter (``levy.ratio.yaml`` holds ``levy.ratio``)::

    parameter: levy.ratio                  # required; equals the file name without .yaml
    description: 用人单位安排残疾人就业的比例   # required, not empty
    unit: ratio                            # required: ratio | yuan | multiple | count | bool
    values:                                # the default, for every region no override matches
      - from: 2007-05-01                   # required: the date the value takes effect
        value: "0.015"                     # required: a value of the unit, or null to end it
        reference: 《残疾人就业条例》第八条  # required: the notice that set it
      - from: 2030-01-01
        value: null                        # from this date no value is in force
        reference: ""                      # empty only for a sample value …
        sample: true                       # … which says so: sample is true exactly when
                                           #     reference is empty
    overrides:                             # optional
      "41":                                # region-code prefix, quoted: 2 digits a province,
        - from: 2008-01-01                 #     4 a city, 6 a county
          value: "0.016"
          reference: …

Values by unit: ``ratio`` a quoted decimal from 0 to 1, ``yuan`` a quoted decimal of at most
two places, ``multiple`` a quoted non-negative decimal (all three read as :class:`Decimal`, so
never a float); ``count`` a non-negative integer; ``bool`` true or false. Dates in a list are
strictly ascending. ``values`` may be empty only when there are overrides. No other key is
accepted anywhere; a YAML mapping with a key written twice is refused.

The lookup (:meth:`Parameters.value`): a value holds from its date until the next entry of
its list. Of the lists that match the region (the overrides whose prefix begins the region
code, then the default), the most specific one whose first date has come decides; if that
list's entry in force is ``null``, no value is in force (``None``) even where a broader list
has one. So an override begun replaces the broader lists; an override not yet begun leaves
them in force; to go back to the broader value, restate it.

:func:`load_directory` reads every ``*.yaml`` file under a directory (subdirectories too),
checks them all and reports every problem at once, each naming its file and its entry, in
one :class:`ParameterError`. Parameter files are configuration written by developers and
deployment staff, so these messages are English and untranslated. Loaded directories are
cached by path; :func:`clear_cache` forgets them. No Django import here.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import enum
import functools
import os
import re
from collections.abc import Hashable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

__all__ = [
    "Entry",
    "Parameter",
    "ParameterError",
    "Parameters",
    "Unit",
    "Value",
    "clear_cache",
    "load_directory",
]

Scalar = Decimal | int | bool

TOP_KEYS = {"parameter", "description", "unit", "values", "overrides"}
REQUIRED_TOP_KEYS = ("parameter", "description", "unit", "values")
ENTRY_KEYS = {"from", "value", "reference", "sample"}
REQUIRED_ENTRY_KEYS = ("from", "value", "reference")
PREFIX_LENGTHS = (2, 4, 6)
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
YUAN_PLACES = 2


class Unit(enum.StrEnum):
    RATIO = "ratio"
    YUAN = "yuan"
    MULTIPLE = "multiple"
    COUNT = "count"
    BOOL = "bool"


DECIMAL_UNITS = {Unit.RATIO, Unit.YUAN, Unit.MULTIPLE}


class ParameterError(Exception):
    """One or more parameter files are invalid; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(self.errors))


@dataclasses.dataclass(frozen=True)
class Entry:
    since: datetime.date
    value: Scalar | None  # None: the value ends on ``since``
    reference: str
    sample: bool


@dataclasses.dataclass(frozen=True)
class Value:
    """The value of a parameter in force on a date, and where it comes from."""

    name: str
    value: Scalar
    since: datetime.date
    reference: str
    region: str  # the override prefix used, "" for the default
    sample: bool

    @property
    def decimal(self) -> Decimal:
        """The value as a Decimal (for every unit but bool)."""
        if isinstance(self.value, bool):
            raise TypeError(f"{self.name} is a bool, not a number")
        return Decimal(self.value)


@dataclasses.dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: Unit
    values: tuple[Entry, ...]
    overrides: Mapping[str, tuple[Entry, ...]]
    path: Path

    def lists(self, region: str) -> Iterator[tuple[str, tuple[Entry, ...]]]:
        """Yield (prefix, entries) matching ``region``, most specific first, the default last."""
        for length in sorted(PREFIX_LENGTHS, reverse=True):
            prefix = region[:length]
            if len(prefix) == length and prefix in self.overrides:
                yield prefix, self.overrides[prefix]
        yield "", self.values


class Parameters(Mapping[str, Parameter]):
    """The parameters of one directory, by name."""

    def __init__(self, parameters: Mapping[str, Parameter]) -> None:
        self._parameters = MappingProxyType(dict(parameters))

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._parameters[name]
        except KeyError:
            raise KeyError(f"no parameter named {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __len__(self) -> int:
        return len(self._parameters)

    def value(self, name: str, *, on: datetime.date, region: str) -> Value | None:
        """The value of ``name`` in force on ``on`` in ``region``; None when none is in force.

        ``region`` is a region code ("410883", "41") or "" for the default. KeyError for an
        unknown name.
        """
        if region and not region.isdigit():
            raise ValueError(f"region code {region!r}: digits only")
        parameter = self[name]
        for prefix, entries in parameter.lists(region):
            position = bisect.bisect_right([entry.since for entry in entries], on)
            if position == 0:
                continue  # not begun here: a broader list decides
            entry = entries[position - 1]
            if entry.value is None:
                return None
            return Value(
                name=name,
                value=entry.value,
                since=entry.since,
                reference=entry.reference,
                region=prefix,
                sample=entry.sample,
            )
        return None


def load_directory(path: str | os.PathLike[str]) -> Parameters:
    """Read and check every parameter file under ``path``; ParameterError lists all problems."""
    return _load_resolved(Path(path).resolve())


def clear_cache() -> None:
    """Forget the directories read so far (after editing files in a running process)."""
    _load_resolved.cache_clear()


@functools.lru_cache(maxsize=32)
def _load_resolved(directory: Path) -> Parameters:
    if not directory.is_dir():
        raise ParameterError([f"{directory}: not a directory"])
    errors: list[str] = []
    parameters: dict[str, Parameter] = {}
    files = sorted(directory.rglob("*.yaml"))
    if not files:
        errors.append(f"{directory}: no parameter files (*.yaml)")
    for file in files:
        parameter = _read_file(file, errors)
        if parameter is None:
            continue
        if parameter.name in parameters:
            first = parameters[parameter.name].path
            errors.append(f"{file}: parameter {parameter.name} is also defined in {first}")
            continue
        parameters[parameter.name] = parameter
    if errors:
        raise ParameterError(errors)
    return Parameters(parameters)


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping key written twice (PyYAML keeps the last).

    Dates stay text, read by :func:`_read_date`, so a wrong date is reported with its entry.
    """


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Hashable, Any]:
    seen: set[Hashable] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} written twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_file(file: Path, errors: list[str]) -> Parameter | None:
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 (a SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        errors.append(f"{file}: cannot be read: {error}")
        return None
    count = len(errors)
    if not isinstance(data, dict):
        errors.append(f"{file}: must be a mapping with the keys {', '.join(REQUIRED_TOP_KEYS)}")
        return None
    for key in sorted(set(data) - TOP_KEYS, key=str):
        errors.append(f"{file}: unknown key {key!r}")
    for key in REQUIRED_TOP_KEYS:
        if key not in data:
            errors.append(f"{file}: missing key {key!r}")
    if len(errors) > count:
        return None

    name, description = data["parameter"], data["description"]
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        errors.append(f"{file}: parameter {name!r}: lower-case words joined by dots")
    elif file.name != f"{name}.yaml":
        errors.append(f"{file}: parameter {name} must be in a file named {name}.yaml")
    if not isinstance(description, str) or not description.strip():
        errors.append(f"{file}: description: write what the parameter is")
    try:
        unit = Unit(data["unit"])
    except ValueError:
        units = " | ".join(Unit)
        errors.append(f"{file}: unit {data['unit']!r}: one of {units}")
        return None

    values = _read_entries(data["values"], unit, f"{file}: values", errors)
    overrides: dict[str, tuple[Entry, ...]] = {}
    raw_overrides = data.get("overrides", {})
    if not isinstance(raw_overrides, dict):
        errors.append(f"{file}: overrides: a mapping of region-code prefix to a list of entries")
    else:
        for prefix, entries in raw_overrides.items():
            where = f"{file}: overrides[{prefix!r}]"
            if not isinstance(prefix, str):
                errors.append(f"{where}: write the region-code prefix in quotes")
            elif not (prefix.isdigit() and len(prefix) in PREFIX_LENGTHS):
                errors.append(f"{where}: a region-code prefix has 2, 4 or 6 digits")
            else:
                overrides[prefix] = _read_entries(entries, unit, where, errors)
    if not values and not overrides and len(errors) == count:
        errors.append(f"{file}: values: no value anywhere (empty values and no overrides)")
    if len(errors) > count:
        return None
    return Parameter(
        name=name,
        description=description.strip(),
        unit=unit,
        values=values,
        overrides=MappingProxyType(overrides),
        path=file,
    )


def _read_entries(raw: Any, unit: Unit, where: str, errors: list[str]) -> tuple[Entry, ...]:
    if not isinstance(raw, list):
        errors.append(f"{where}: a list of entries (- from: …, value: …, reference: …)")
        return ()
    entries: list[Entry] = []
    for index, item in enumerate(raw):
        entry = _read_entry(item, unit, f"{where}[{index}]", errors)
        if entry is None:
            continue
        if entries and entry.since <= entries[-1].since:
            problem = "written twice" if entry.since == entries[-1].since else "out of order"
            errors.append(
                f"{where}[{index}] (from {entry.since}): date {problem}; dates must ascend"
            )
        entries.append(entry)
    return tuple(entries)


def _read_entry(item: Any, unit: Unit, where: str, errors: list[str]) -> Entry | None:
    if not isinstance(item, dict):
        errors.append(f"{where}: an entry is a mapping with from, value and reference")
        return None
    count = len(errors)
    since = _read_date(item.get("from"))
    if since is not None:
        where = f"{where} (from {since})"
    for key in sorted(set(item) - ENTRY_KEYS, key=str):
        errors.append(f"{where}: unknown key {key!r}")
    for key in REQUIRED_ENTRY_KEYS:
        if key not in item:
            errors.append(f"{where}: missing key {key!r}")
    if len(errors) > count:
        return None
    if since is None:
        errors.append(f"{where}: from {item['from']!r}: a date written YYYY-MM-DD")
    reference, sample = item["reference"], item.get("sample", False)
    if not isinstance(reference, str):
        errors.append(f'{where}: reference: the notice as text, or "" for a sample value')
    elif not isinstance(sample, bool):
        errors.append(f"{where}: sample: true or false")
    elif not reference.strip() and not sample:
        errors.append(f"{where}: reference is empty: cite the notice, or mark it sample: true")
    elif reference.strip() and sample:
        errors.append(f"{where}: sample: true with a reference; a sample value has none")
    value = item["value"]
    if value is not None:
        try:
            value = _read_value(value, unit)
        except ValueError as error:
            errors.append(f"{where}: value {item['value']!r}: {error}")
    if len(errors) > count or since is None:
        return None
    return Entry(since=since, value=value, reference=reference.strip(), sample=sample)


def _read_date(raw: Any) -> datetime.date | None:
    if not isinstance(raw, str) or not DATE_PATTERN.fullmatch(raw):
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        return None


def _read_value(raw: Any, unit: Unit) -> Scalar:
    if unit is Unit.BOOL:
        if not isinstance(raw, bool):
            raise ValueError("true or false")
        return raw
    if unit is Unit.COUNT:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise ValueError("a whole number, 0 or more")
        return int(raw)
    if not isinstance(raw, str):
        raise ValueError(f'a {unit} is written in quotes, e.g. "0.015" (never a float)')
    try:
        number = Decimal(raw.strip())
    except InvalidOperation:
        raise ValueError(f'not a number; a {unit} is a decimal such as "0.015"') from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"a {unit} is a finite number, 0 or more")
    if unit is Unit.RATIO and number > 1:
        raise ValueError('a ratio is from 0 to 1 (write 1.5% as "0.015")')
    if unit is Unit.YUAN and number != number.quantize(Decimal(1).scaleb(-YUAN_PLACES)):
        raise ValueError("yuan have at most two decimal places (fen)")
    return number
