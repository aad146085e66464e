from __future__ import annotations

from typing import Any, Literal

import pytest
from imagerelay._runtime.descriptors import ImagePaths, TaskStatusSpec
from imagerelay._runtime.errors import InvalidRequestError, RelayError
from imagerelay._runtime.model import (
    RelayModel,
    RelayRequest,
    RelayResponse,
    build_request,
    progress_fraction,
)
from imagerelay._runtime.rules import Forbidden, OneOf, When
from pydantic import Field, ValidationError

PRO = When("model", frozenset({"pro"}), "model family 'pro'")
FLASH = When("model", frozenset({"flash"}), "model family 'flash'")


class ImageConfig(RelayModel):
    aspect_ratio: Literal["1:1", "16:9"] | None = Field(None, alias="aspectRatio")
    image_size: str | None = Field(None, alias="imageSize")


class GenerationConfig(RelayModel):
    image_config: ImageConfig | None = Field(None, alias="imageConfig")


class Body(RelayRequest):
    __relay_rules__ = (
        OneOf("model", ("pro", "flash")),
        Forbidden("generationConfig.imageConfig.imageSize", FLASH, note="Pro only"),
    )
    model: str
    prompt: str
    n: int = 1
    generation_config: GenerationConfig | None = Field(None, alias="generationConfig")


def test_to_wire_uses_aliases_and_drops_none() -> None:
    body = Body(
        model="pro",
        prompt="cat",
        generation_config=GenerationConfig(image_config=ImageConfig(image_size="4K")),
    )
    assert body.to_wire() == {
        "model": "pro",
        "prompt": "cat",
        "n": 1,
        "generationConfig": {"imageConfig": {"imageSize": "4K"}},
    }


def test_request_rules_run_in_validation() -> None:
    with pytest.raises(ValidationError) as caught:
        Body(model="flash", prompt="x", generationConfig={"imageConfig": {"imageSize": "4K"}})
    assert (
        "generationConfig.imageConfig.imageSize is not supported when model family 'flash'"
        in str(caught.value)
    )


def test_build_request_accepts_python_or_wire_names_and_drops_none() -> None:
    body = build_request(
        Body, {"model": "pro", "prompt": "p", "n": None, "generationConfig": {"imageConfig": None}}
    )
    assert body.to_wire() == {"model": "pro", "prompt": "p", "n": 1, "generationConfig": {}}
    by_name = build_request(
        Body,
        {
            "model": "pro",
            "prompt": "p",
            "generation_config": {"image_config": {"aspect_ratio": "1:1"}},
        },
    )
    assert by_name.to_wire()["generationConfig"] == {"imageConfig": {"aspectRatio": "1:1"}}


def test_build_request_reports_type_errors_by_wire_name() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        build_request(
            Body,
            {
                "model": "pro",
                "n": "many",
                "generation_config": {"image_config": {"aspect_ratio": "2:3"}},
            },
        )
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, RelayError)
    assert error.problems == [
        "prompt is required",
        "n='many': Input should be a valid integer, unable to parse string as an integer",
        "generationConfig.imageConfig.aspectRatio='2:3' is not allowed; allowed: '1:1' or '16:9'",
    ]
    assert str(error).startswith("invalid Body request (3 problems): prompt is required; ")


def test_build_request_reports_each_rule_violation() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        build_request(
            Body,
            {
                "model": "flash",
                "prompt": "p",
                "generationConfig": {"imageConfig": {"imageSize": "4K"}},
            },
        )
    assert caught.value.problems == [
        "generationConfig.imageConfig.imageSize is not supported when model family 'flash' (model='flash') (Pro only)"
    ]
    with pytest.raises(InvalidRequestError) as caught:
        build_request(Body, {"model": "turbo", "prompt": "p"})
    assert caught.value.problems == ["model='turbo' is not allowed; allowed: pro, flash"]


def test_build_request_truncates_huge_values() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        build_request(Body, {"model": "pro", "prompt": "p", "n": "x" * 5000})
    assert len(caught.value.problems[0]) < 200


class Task(RelayResponse):
    __relay_images__ = ImagePaths(urls=("results[].url",))
    __relay_task__ = TaskStatusSpec(
        status_field="data.status",
        progress_field="data.progress",
        known=frozenset({"queued", "SUCCESS", "FAILURE", "violation"}),
        success=frozenset({"SUCCESS"}),
        failure=frozenset({"FAILURE"}),
        violation=frozenset({"violation"}),
        error_field="data.fail_reason",
    )


def task(**data: Any) -> Task:
    return Task.model_validate(
        {"data": data, "results": [{"url": "https://cdn.test/a.png"}], "extra": 1}
    )


def test_response_tolerates_unknown_fields_and_extracts_images() -> None:
    result = task(status="queued")
    assert result.to_wire()["extra"] == 1
    assert [image.url for image in result.images()] == ["https://cdn.test/a.png"]
    assert RelayResponse.model_validate({"x": 1}).images() == []


def test_task_status_outcome_and_error() -> None:
    assert task(status="queued").task_status() == "queued"
    assert task(status="queued").is_terminal() is False
    assert task(status="SUCCESS").task_outcome() == "success"
    assert task(status="success").task_outcome() == "success"  # case-insensitive
    failed = task(status="FAILURE", fail_reason="upstream 500")
    assert failed.task_outcome() == "failure" and failed.is_terminal()
    assert failed.task_error() == "upstream 500"
    assert task(status="violation").task_outcome() == "violation"
    assert task().task_status() is None and task().task_outcome() == "pending"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (50, 0.5),
        (100, 1.0),
        (0, 0.0),
        (12.5, 0.125),
        ("100%", 1.0),
        ("42%", 0.42),
        ("42", 0.42),
        (" 7 % ", 0.07),
        (150, 1.0),
        (-5, 0.0),
        ("soon", None),
        (None, None),
        (True, None),
        (float("nan"), None),
    ],
)
def test_progress_is_always_percent(raw: object, expected: float | None) -> None:
    assert progress_fraction(raw) == (pytest.approx(expected) if expected is not None else None)


def test_task_progress_reads_progress_field() -> None:
    assert task(status="queued", progress="35%").task_progress() == pytest.approx(0.35)
    assert task(status="queued").task_progress() is None


def test_task_methods_need_a_task_spec() -> None:
    with pytest.raises(TypeError, match="does not describe a task"):
        RelayResponse().task_status()
