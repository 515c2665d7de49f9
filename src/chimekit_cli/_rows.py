"""Input files (JSONL or CSV) read into checked rows, each with its 1-based line.

Rows use the API's wire names (``externalUserId``, ``displayName``, ...) as JSON keys or CSV
column headers. In a CSV file the JSON-valued fields (``identities``, ``attributes``,
``content``) hold JSON text, and an empty cell means "not given" (the field is left out of the
request, as an SDK keyword argument that is not passed).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

InputFormat = Literal["jsonl", "csv"]

FORMAT_BY_SUFFIX: Final[dict[str, InputFormat]] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}

_READ_CHUNK = 1 << 20


class InputError(Exception):
    """The file as a whole cannot be used (unreadable, unknown CSV column, ...)."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one row: the wire name of the field (``None``: the row) and why."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message if self.field is None else f"{self.field}: {self.message}"


@dataclass(slots=True)
class Row:
    """One input row: its line, its fields by wire name, and what is wrong with it."""

    line: int
    fields: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the row can be sent."""
        return not self.errors


Check = Callable[[Any, str], list[FieldError]]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an input row: wire name, keyword argument, check, whether CSV holds JSON."""

    wire: str
    keyword: str
    check: Check
    required: bool = False
    json_in_csv: bool = False


@dataclass(frozen=True, slots=True)
class RowSpec:
    """The fields a kind of row may have."""

    fields: tuple[FieldSpec, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The wire names, in documentation order."""
        return tuple(spec.wire for spec in self.fields)

    def by_wire(self, name: str) -> FieldSpec | None:
        """The field with this wire name, if any."""
        for spec in self.fields:
            if spec.wire == name:
                return spec
        return None

    def check(self, row: Row) -> Row:
        """Fill in ``row.errors``: unknown fields, missing required ones, bad values."""
        if any(error.field is None for error in row.errors):
            return row  # not an object at all: its fields mean nothing
        for name in row.fields:
            if self.by_wire(name) is None:
                row.errors.append(
                    FieldError(name, f"unknown field (expected {', '.join(self.names)})")
                )
        already_bad = {error.field for error in row.errors}
        for spec in self.fields:
            if spec.wire in already_bad:
                continue
            if spec.wire not in row.fields:
                if spec.required:
                    row.errors.append(FieldError(spec.wire, "is required"))
                continue
            row.errors.extend(spec.check(row.fields[spec.wire], spec.wire))
        return row

    def keywords(self, row: Row) -> dict[str, Any]:
        """The row as the single-call method's keyword arguments (snake_case)."""
        result: dict[str, Any] = {}
        for spec in self.fields:
            if spec.wire in row.fields:
                result[spec.keyword] = row.fields[spec.wire]
        return result


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def check_id(value: Any, name: str) -> list[FieldError]:
    """A non-empty string."""
    if not isinstance(value, str):
        return [FieldError(name, f"must be a string, not {_type_name(value)}")]
    if not value.strip():
        return [FieldError(name, "must not be empty")]
    return []


def check_text_or_null(value: Any, name: str) -> list[FieldError]:
    """A string or null."""
    if value is None or isinstance(value, str):
        return []
    return [FieldError(name, f"must be a string or null, not {_type_name(value)}")]


def check_object_or_null(value: Any, name: str) -> list[FieldError]:
    """A JSON object or null."""
    if value is None or isinstance(value, dict):
        return []
    return [FieldError(name, f"must be an object or null, not {_type_name(value)}")]


def check_identities(value: Any, name: str) -> list[FieldError]:
    """A list of ``{"type": ..., "value": ..., "verified": ...}`` objects, or null."""
    if value is None:
        return []
    if not isinstance(value, list):
        return [FieldError(name, f"must be an array of identities, not {_type_name(value)}")]
    errors: list[FieldError] = []
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            errors.append(FieldError(where, f"must be an object, not {_type_name(item)}"))
            continue
        for key in ("type", "value"):
            if key not in item:
                errors.append(FieldError(f"{where}.{key}", "is required"))
            else:
                errors.extend(check_id(item[key], f"{where}.{key}"))
        verified = item.get("verified")
        if verified is not None and not isinstance(verified, bool):
            errors.append(
                FieldError(f"{where}.verified", f"must be a boolean, not {_type_name(verified)}")
            )
    return errors


def check_content(value: Any, name: str) -> list[FieldError]:
    """Message content: ``templateId`` (with ``variables``) or channels, never both."""
    if not isinstance(value, dict):
        return [FieldError(name, f"must be an object, not {_type_name(value)}")]
    errors: list[FieldError] = []
    has_template = value.get("templateId") is not None
    channels = [channel for channel in ("in_app", "email") if value.get(channel) is not None]
    if has_template and channels:
        errors.append(
            FieldError(name, f"must have either templateId or {' and '.join(channels)}, not both")
        )
    elif not has_template and not channels:
        errors.append(FieldError(name, "must have a templateId or a channel (in_app, email)"))
    if has_template:
        errors.extend(check_id(value["templateId"], f"{name}.templateId"))
    for key in (*channels, "variables"):
        if key in value:
            errors.extend(check_object_or_null(value[key], f"{name}.{key}"))
    return errors


IDENTIFY_ROW: Final = RowSpec(
    (
        FieldSpec("externalUserId", "external_user_id", check_id, required=True),
        FieldSpec("displayName", "display_name", check_text_or_null),
        FieldSpec("identities", "identities", check_identities, json_in_csv=True),
        FieldSpec("attributes", "attributes", check_object_or_null, json_in_csv=True),
    )
)
"""``chimekit audience import``: the arguments of ``audience.identify``."""

SEND_ROW: Final = RowSpec(
    (
        FieldSpec("externalUserId", "external_user_id", check_id, required=True),
        FieldSpec("content", "content", check_content, required=True, json_in_csv=True),
        FieldSpec("categoryId", "category_id", check_text_or_null),
    )
)
"""``chimekit messages send --file``: the arguments of ``messages.send``."""


def format_for(path: Path, explicit: InputFormat | None) -> InputFormat:
    """The input format: ``explicit``, else from the file name's suffix.

    Raises:
        InputError: No format given and the suffix is not one we know.
    """
    if explicit is not None:
        return explicit
    found = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if found is None:
        known = ", ".join(FORMAT_BY_SUFFIX)
        raise InputError(
            f"cannot tell the format of {path.name!r} from its suffix (known: {known}); "
            "pass --input-format jsonl or csv"
        )
    return found


@dataclass(frozen=True, slots=True)
class InputFile:
    """An input file of rows for one kind of call."""

    path: Path
    format: InputFormat
    spec: RowSpec

    def digest(self) -> str:
        """The SHA-256 of the file's bytes (hex): the base of every row's idempotency key."""
        hasher = hashlib.sha256()
        with self.path.open("rb") as file:
            while chunk := file.read(_READ_CHUNK):
                hasher.update(chunk)
        return hasher.hexdigest()

    def count(self) -> int:
        """How many rows the file holds (blank lines aside), without checking them."""
        return sum(1 for _ in self._records())

    def rows(self, after_line: int = 0) -> Iterator[Row]:
        """Every row after ``after_line``, checked (see ``Row.errors``), in file order.

        Raises:
            InputError: A CSV header with an unknown or repeated column (before any row).
        """
        for line, record in self._records():
            if line <= after_line:
                continue
            yield self.spec.check(self._parse(line, record))

    def check_header(self) -> None:
        """Check a CSV file's header (a JSONL file has none).

        Raises:
            InputError: An empty file, or an unknown, repeated or missing column.
        """
        if self.format == "csv":
            self._header()

    def _open(self) -> Any:
        # utf-8-sig: spreadsheets often write a byte-order mark.
        return self.path.open(encoding="utf-8-sig", newline="" if self.format == "csv" else None)

    def _header(self) -> list[str]:
        with self._open() as file:
            header = next(csv.reader(file), None)
        if not header:
            raise InputError(f"{self.path.name}: the CSV file has no header row")
        seen: set[str] = set()
        for column in header:
            if self.spec.by_wire(column) is None:
                raise InputError(
                    f"{self.path.name}: unknown column {column!r} in the header "
                    f"(expected {', '.join(self.spec.names)})"
                )
            if column in seen:
                raise InputError(f"{self.path.name}: column {column!r} appears twice")
            seen.add(column)
        for spec in self.spec.fields:
            if spec.required and spec.wire not in seen:
                raise InputError(f"{self.path.name}: the header has no {spec.wire!r} column")
        return header

    def _records(self) -> Iterator[tuple[int, Any]]:
        """``(line, raw record)``: a JSONL line's text, or a CSV record's cells."""
        with self._open() as file:
            if self.format == "jsonl":
                for line, text in enumerate(file, start=1):
                    if text.strip():
                        yield line, text
                return
            reader = csv.reader(file)
            header = next(reader, None)
            if header is None:
                return
            while True:
                line = reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield line, exc
                    continue
                if cells:
                    yield line, (header, cells)

    def _parse(self, line: int, record: Any) -> Row:
        if self.format == "jsonl":
            try:
                data = json.loads(record)
            except json.JSONDecodeError as exc:
                return Row(line, {}, [FieldError(None, f"not valid JSON: {exc.msg}")])
            if not isinstance(data, dict):
                return Row(
                    line, {}, [FieldError(None, f"must be a JSON object, not {_type_name(data)}")]
                )
            return Row(line, data)
        if isinstance(record, csv.Error):
            return Row(line, {}, [FieldError(None, f"not valid CSV: {record}")])
        header, cells = record
        if len(cells) != len(header):
            message = f"has {len(cells)} cells, the header has {len(header)}"
            return Row(line, {}, [FieldError(None, message)])
        row = Row(line, {})
        for column, cell in zip(header, cells, strict=True):
            if cell == "":
                continue  # an empty cell: the field is not given
            spec = self.spec.by_wire(column)
            if spec is not None and spec.json_in_csv:
                try:
                    row.fields[column] = json.loads(cell)
                except json.JSONDecodeError as exc:
                    row.errors.append(FieldError(column, f"not valid JSON: {exc.msg}"))
                    row.fields[column] = None
            else:
                row.fields[column] = cell
        return row
