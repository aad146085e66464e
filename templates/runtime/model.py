"""Pydantic bases of generated request and response models.

Field names are Python names with wire-name aliases; ``to_wire`` gives the
JSON the provider sees. Responses tolerate unknown fields (relays add
fields without notice); requests validate their declarative rules.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import cache
from typing import Any, ClassVar, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .descriptors import ImagePaths, RefusalMarker, TaskStatusSpec
from .errors import InvalidRequestError, one_line
from .image_input import ImageInput, convert_image_fields
from .images import Image, extract_images, inline_image_problems
from .log import logger
from .paths import find_all, find_first
from .rules import Rule, check_rules, wire_text
from .tolerant import drop_invalid_optionals, model_in

__all__ = [
    "RelayInput",
    "RelayModel",
    "RelayRequest",
    "RelayResponse",
    "ReplyContentError",
    "RuleViolation",
    "TaskOutcome",
    "build_request",
    "find_refusal",
    "progress_fraction",
    "read_reply",
    "task_error_in",
    "task_outcome_in",
    "task_status_in",
]

M = TypeVar("M", bound="RelayModel")
R = TypeVar("R", bound="RelayResponse")
TaskOutcome = Literal["success", "failure", "violation", "pending"]


@cache
def _field_names_by_alias(model: type[BaseModel]) -> dict[str, str]:
    # Computed once per class rather than on every validation.
    return {info.alias: name for name, info in model.model_fields.items() if info.alias}


class RelayModel(BaseModel):
    """Base of every generated model."""

    # protected_namespaces=(): provider fields such as modelVersion -> model_version are
    # legitimate names, and older pydantic 2.x warns about the "model_" prefix otherwise.
    # defer_build=True: a provider has dozens of models and a call uses a few, so each
    # builds its validator on first use instead of all of them at import (see bench/).
    model_config = ConfigDict(
        populate_by_name=True, extra="allow", protected_namespaces=(), defer_build=True
    )

    # Input-image fields of this model (from the spec); see image_input.py.
    __relay_image_inputs__: ClassVar[tuple[ImageInput, ...]] = ()
    # (other spelling, wire name) pairs, e.g. ("inlineData", "inline_data") (the spec's
    # ``aliases``): read as that field, so its rules count them, and sent as it.
    __relay_spellings__: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _prepare_relay_input(cls, data: Any) -> Any:
        # One validator for both steps: each Python validator costs every model a call.
        if cls.__relay_spellings__ and isinstance(data, dict):
            data = _respell(data, _spelling_map(cls), _field_names_by_alias(cls))
        if not cls.__relay_image_inputs__:
            return data
        # A Path, bytes or file given for an image field becomes the form the spec declares.
        aliases = _field_names_by_alias(cls)
        return convert_image_fields(data, cls.__relay_image_inputs__, aliases)

    def to_wire(self) -> dict[str, Any]:
        """The model as the provider's JSON: wire names, no None values."""
        return self.model_dump(mode="python", by_alias=True, exclude_none=True)


@cache
def _spelling_map(model: type[RelayModel]) -> dict[str, str]:
    return dict(model.__relay_spellings__)


def _respell(data: dict[str, Any], spellings: Mapping[str, str], names: Mapping[str, str]) -> dict[str, Any]:
    """``data`` with each other spelling of a field renamed to the field's wire name."""
    if not any(key in spellings for key in data):
        return data
    result: dict[str, Any] = {}
    for key, value in data.items():
        wire = spellings.get(key)
        if wire is None:
            result[key] = value
            continue
        given = [name for name in (wire, names.get(wire, wire)) if name in data]
        if given:
            raise ValueError(f"'{key}' and '{given[0]}' are two spellings of one field; give one")
        result[wire] = value
    return result


class RelayInput(RelayModel):
    """Base of the models a request is built from: unknown keys are refused.

    A typo (``aspectratio``) or a field the spec does not list must not reach the relay
    unnoticed, nor slip past the spec's rules; ``extra_body=`` sends such fields on purpose.
    """

    model_config = ConfigDict(extra="forbid")


class RuleViolation(ValueError):
    """Raised inside validation; carries each broken rule's message."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class RelayRequest(RelayInput):
    """A request body/parameter set with declarative rules (see ``rules.py``)."""

    __relay_rules__: ClassVar[tuple[Rule, ...]] = ()

    @model_validator(mode="after")
    def _check_relay_rules(self) -> Self:
        rules = type(self).__relay_rules__
        if not rules:
            return self
        problems = check_rules(self.to_wire(), rules)
        if problems:
            raise RuleViolation(problems)
        return self


def progress_fraction(value: Any) -> float | None:
    """Progress as 0..1. Rule: every value is a percentage.

    Numbers are percent 0-100 (``50`` and ``50.0`` mean half); strings are
    percent with or without a ``%`` sign (``"50%"``, ``"50"``). Results are
    clamped to 0..1; anything unparseable gives None.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().rstrip("%").strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return min(1.0, max(0.0, float(value) / 100.0))


def _matches(status: str, values: frozenset[str]) -> bool:
    # Providers are inconsistent about case ("SUCCESS" vs "success").
    return status in values or status.lower() in {v.lower() for v in values}


def task_status_in(wire: Any, spec: TaskStatusSpec) -> str | None:
    """The status value of a task payload (wire names), or None."""
    value = find_first(wire, spec.status_field)
    return None if value is None else str(value)


def task_error_in(wire: Any, spec: TaskStatusSpec) -> str | None:
    """The provider's error text in a task payload, or None."""
    value = None if spec.error_field is None else find_first(wire, spec.error_field)
    return None if value in (None, "") else str(value)


def task_outcome_in(wire: Any, spec: TaskStatusSpec) -> TaskOutcome:
    """What the status of a task payload means."""
    status = task_status_in(wire, spec)
    if status is None:
        return "pending"
    if _matches(status, spec.success):
        return "success"
    if _matches(status, spec.violation):
        return "violation"
    if _matches(status, spec.failure):
        return "failure"
    return "pending"


def _refusal_text(value: Any) -> str:
    if isinstance(value, (Mapping, list)):
        return one_line(json.dumps(value, ensure_ascii=False), 120)
    return one_line(wire_text(value), 120)


def find_refusal(payload: Any, markers: tuple[RefusalMarker, ...]) -> str | None:
    """``"path=value"`` for the first refusal marker set in ``payload``, or None.

    A marker without ``values`` matches any non-empty value; one with values
    matches those (case-insensitively: relays re-case enum values).
    """
    for marker in markers:
        wanted = frozenset(value.lower() for value in marker.values)
        for value in find_all(payload, marker.path):
            if value in ([], {}, False) or (isinstance(value, str) and not value.strip()):
                continue
            text = _refusal_text(value)
            if not wanted or text.lower() in wanted:
                return f"{marker.path}={text}"
    return None


class RelayResponse(RelayModel):
    """A reply payload that may hold images and/or describe a task.

    The clients read replies with :func:`read_reply`, not ``model_validate``.
    """

    __relay_images__: ClassVar[ImagePaths | None] = None
    __relay_task__: ClassVar[TaskStatusSpec | None] = None
    # Fields whose value means "refused on content policy" (see ``RefusalMarker``).
    __relay_refusals__: ClassVar[tuple[RefusalMarker, ...]] = ()
    # The request id of the reply this was read from (response header or body field, as the
    # spec says): what a billing dispute needs; openai's spelling. The client sets it on the
    # instance (``object.__setattr__``, not a pydantic PrivateAttr, which would cost every
    # validation a post-init step); it is not a field, so never dumped or sent.
    _request_id: ClassVar[str | None] = None

    def images(self) -> list[Image]:
        """Images in this payload (empty when there are none)."""
        paths = type(self).__relay_images__
        return [] if paths is None else extract_images(self.to_wire(), paths)

    def refusal(self) -> str | None:
        """The first content-policy refusal marker set in this payload, e.g.
        ``"candidates[].finishReason=IMAGE_SAFETY"``, or None."""
        return find_refusal(self.to_wire(), type(self).__relay_refusals__)

    def _task_spec(self) -> TaskStatusSpec:
        spec = type(self).__relay_task__
        if spec is None:
            raise TypeError(f"{type(self).__name__} does not describe a task")
        return spec

    def task_status(self) -> str | None:
        return task_status_in(self.to_wire(), self._task_spec())

    def task_progress(self) -> float | None:
        """Progress as 0..1 (see :func:`progress_fraction`), or None."""
        field = self._task_spec().progress_field
        return None if field is None else progress_fraction(find_first(self.to_wire(), field))

    def task_error(self) -> str | None:
        """The provider's error text for a failed task, or None."""
        return task_error_in(self.to_wire(), self._task_spec())

    def task_outcome(self) -> TaskOutcome:
        return task_outcome_in(self.to_wire(), self._task_spec())

    def is_terminal(self) -> bool:
        return self.task_outcome() != "pending"


class ReplyContentError(ValueError):
    """Inline image data in a reply that is not base64, or not an image."""


def read_reply(model: type[R], data: Any, *, data_urls: bool = True) -> R:
    """Validate a reply payload as the clients do.

    Inline images are checked first, so invalid base64 or content that is no image fails
    when the reply is parsed (ReplyContentError, with the request's details in the
    caller's error) instead of later from ``save()``. Then the payload is read tolerantly
    (see ``tolerant.py``): an optional field with an odd value is dropped with a warning
    rather than losing a paid reply. Not a model validator: it runs once per reply, and a
    Python validator on every model costs each call several microseconds (bench figure 4).
    ``data_urls``: see :func:`inline_image_problems` (a stream chunk passes False).
    """
    images = model.__relay_images__
    if images is not None and isinstance(data, Mapping):
        problems = inline_image_problems(data, images, data_urls=data_urls)
        if problems:
            raise ReplyContentError("; ".join(problems))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        keep = () if images is None else (*images.urls, *(spec.path for spec in images.inline))
        dropped = drop_invalid_optionals(model, data, exc.errors(include_url=False), keep)
        if dropped is None:
            raise
        pruned, paths = dropped
        result = model.model_validate(pruned)
        logger.warning(
            "%s: ignored optional field(s) the model cannot read: %s", model.__name__, ", ".join(paths)
        )
        return result


def _drop_none(values: Mapping[str, Any]) -> Mapping[str, Any]:
    # Runs on every request built: a dict tree without None is used as it is (no copy to
    # allocate and collect). Most values are str or list: the test in that order skips
    # the slow ABC check of Mapping for them.
    if type(values) is dict and not _holds_none(values):
        return values
    return {
        key: (
            _drop_none(value)
            if isinstance(value, dict)
            or (not isinstance(value, (str, list)) and isinstance(value, Mapping))
            else value
        )
        for key, value in values.items()
        if value is not None
    }


def _holds_none(values: dict[str, Any]) -> bool:
    """A None value in ``values`` or a nested mapping (what ``_drop_none`` drops)."""
    for value in values.values():
        if value is None:
            return True
        if isinstance(value, dict):
            if _holds_none(value):
                return True
        elif not isinstance(value, (str, list)) and isinstance(value, Mapping):
            return True  # another kind of mapping: copied into a dict
    return False


def _wire_loc(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> tuple[str, type[BaseModel] | None]:
    """``("image_config", "aspect_ratio")`` -> ``"imageConfig.aspectRatio"``, and the model
    the last step is in (None when it is no model)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        if model is not None:
            field = model.model_fields.get(part) or next(
                (f for f in model.model_fields.values() if f.alias == part), None
            )
            if field is None:
                continue  # a union-member tag such as "literal['a','b']"
            part, model = field.alias or part, model_in(field.annotation)
        text += f".{part}" if text else part
    return text, model


def _wire_keys(model: type[BaseModel]) -> list[str]:
    keys = [info.alias or name for name, info in model.model_fields.items()]
    spellings = getattr(model, "__relay_spellings__", ())
    return keys + [other for other, _ in spellings if other not in keys]


def _squash(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


def closest_key(key: str, keys: list[str]) -> str | None:
    """The key ``key`` most likely meant: same letters in another case or with other
    separators (``aspectratio``, ``aspect-ratio``), else a near spelling."""
    import difflib  # only on this error path: not worth its import time on every start

    by_squashed = {_squash(candidate): candidate for candidate in reversed(keys)}
    if _squash(key) in by_squashed:
        return by_squashed[_squash(key)]
    close = difflib.get_close_matches(_squash(key), list(by_squashed), n=1, cutoff=0.8)
    return by_squashed[close[0]] if close else None


def _unknown_key(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    where, parent = _wire_loc(model, loc[:-1])
    key = str(loc[-1])
    path = f"{where}.{key}" if where else key
    if parent is None:
        return f"{path}: unknown field"
    keys = _wire_keys(parent)
    guess = closest_key(key, keys)
    hint = f"; did you mean '{guess}'?" if guess else f"; {parent.__name__} takes {', '.join(keys)}"
    return (
        f"{path}: unknown field{hint} (a field the spec does not list can be sent with extra_body=)"
    )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _problem(model: type[BaseModel], error: Any) -> list[str]:
    ctx = error.get("ctx") or {}
    if isinstance(ctx.get("error"), RuleViolation):
        return list(ctx["error"].problems)
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        return [_unknown_key(model, tuple(error["loc"]))]
    where = _wire_loc(model, tuple(error["loc"]))[0]
    if kind == "missing":
        return [f"{where} is required"]
    if "expected" in ctx:
        return [f"{where}={_show(value)} is not allowed; allowed: {ctx['expected']}"]
    message = str(error["msg"]).removeprefix("Value error, ")
    return [f"{where}={_show(value)}: {message}" if where else message]


def build_request(cls: type[M], values: Mapping[str, Any]) -> M:
    """Validate ``values`` (Python or wire names) into ``cls``; None values are dropped.

    Raises InvalidRequestError listing every problem by wire name.
    """
    try:
        return cls.model_validate(_drop_none(values))
    except ValidationError as exc:
        problems: list[str] = []
        for error in exc.errors(include_url=False):
            problems.extend(_problem(cls, error))
        raise InvalidRequestError(problems, subject=f"{cls.__name__} request") from None
