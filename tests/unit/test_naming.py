"""Python names derived from real wire names."""

from __future__ import annotations

import keyword

import pytest

from generator.naming import RESERVED_PARAMS, constant_case, pascal_case, snake_case, words

# wire name -> (snake_case, pascal_case, constant_case)
CASES = {
    "aspectRatio": ("aspect_ratio", "AspectRatio", "ASPECT_RATIO"),
    "inline_data": ("inline_data", "InlineData", "INLINE_DATA"),
    "inlineData": ("inline_data", "InlineData", "INLINE_DATA"),
    "generationConfig": ("generation_config", "GenerationConfig", "GENERATION_CONFIG"),
    "fileUri": ("file_uri", "FileUri", "FILE_URI"),
    "mimeType": ("mime_type", "MimeType", "MIME_TYPE"),
    "b64_json": ("b64_json", "B64Json", "B64_JSON"),
    "finish_reason": ("finish_reason", "FinishReason", "FINISH_REASON"),
    "x-request-id": ("x_request_id", "XRequestId", "X_REQUEST_ID"),
    "NanoBananaPro-1K": ("nano_banana_pro_1_k", "NanoBananaPro1K", "NANO_BANANA_PRO_1_K"),
    "gpt-image-2": ("gpt_image_2", "GptImage2", "GPT_IMAGE_2"),
    "gpt-image-2-vip": ("gpt_image_2_vip", "GptImage2Vip", "GPT_IMAGE_2_VIP"),
    "nano-banana-2": ("nano_banana_2", "NanoBanana2", "NANO_BANANA_2"),
    "get_result": ("get_result", "GetResult", "GET_RESULT"),
    "generate_stream": ("generate_stream", "GenerateStream", "GENERATE_STREAM"),
    "AspectRatio": ("aspect_ratio", "AspectRatio", "ASPECT_RATIO"),
    "TaskStatus": ("task_status", "TaskStatus", "TASK_STATUS"),
    "URL": ("url", "Url", "URL"),
    "user.name": ("user_name", "UserName", "USER_NAME"),
    "v1": ("v1", "V1", "V1"),
}


@pytest.mark.parametrize("wire", list(CASES))
def test_real_wire_names(wire: str) -> None:
    assert (snake_case(wire), pascal_case(wire), constant_case(wire)) == CASES[wire]


def test_words() -> None:
    assert words("aspectRatio") == ["aspect", "ratio"]
    assert words("NanoBananaPro-1K") == ["nano", "banana", "pro", "1", "k"]
    assert words("gpt-image-2-vip") == ["gpt", "image", "2", "vip"]
    assert words("contents[].parts[].inline_data") == ["contents", "parts", "inline", "data"]
    assert words("1024x1024") == ["1024x1024"]
    assert words("") == []
    assert words("--") == []


@pytest.mark.parametrize("wire", ["from", "class", "import", "async", "await", "lambda", "global", "in", "is"])
def test_keywords_get_a_trailing_underscore(wire: str) -> None:
    assert snake_case(wire) == f"{wire}_"
    assert keyword.iskeyword(wire)


@pytest.mark.parametrize("wire", ["timeout", "self", "models", "deadline"])
def test_reserved_parameters_are_not_renamed_silently(wire: str) -> None:
    # The checker rejects them with a located error and a python_name suggestion instead.
    assert snake_case(wire) == wire
    assert wire in RESERVED_PARAMS


def test_separators_and_case_still_fold() -> None:
    assert snake_case("Timeout") == "timeout"
    assert snake_case("timeoutSeconds") == "timeout_seconds"
    assert snake_case("requestId") == "request_id"
    assert snake_case("from_") == "from_"  # '_' is a separator: 'from' again, so escaped again
    assert snake_case("fromDate") == "from_date"


def test_keyword_spelled_with_capitals() -> None:
    # 'None' and 'True' are keywords only with a capital; lower-cased they are plain names.
    assert snake_case("None") == "none"
    assert snake_case("True") == "true"
    assert snake_case("From") == "from_"


def test_leading_digits_get_a_prefix() -> None:
    assert snake_case("16:9") == "v_16_9"
    assert snake_case("1K") == "v_1_k"
    assert snake_case("1024x1024") == "v_1024x1024"
    assert pascal_case("16:9") == "V169"
    assert pascal_case("4K") == "V4K"
    assert constant_case("9:16") == "V_9_16"
    assert constant_case("4K") == "V_4_K"
    assert constant_case("1024x1024") == "V_1024X1024"


def test_empty_and_symbol_only_names_have_a_fallback() -> None:
    assert (snake_case(""), pascal_case(""), constant_case("")) == ("value", "Value", "VALUE")
    assert (snake_case("---"), pascal_case("---"), constant_case("---")) == ("value", "Value", "VALUE")


def test_results_are_identifiers() -> None:
    samples = [*CASES, "from", "timeout", "16:9", "4K", "", "x-request-id", "class", "None"]
    for wire in samples:
        for name in (snake_case(wire), pascal_case(wire), constant_case(wire)):
            assert name.isidentifier(), (wire, name)
        assert not keyword.iskeyword(snake_case(wire)), wire
        assert not keyword.iskeyword(constant_case(wire)), wire


def test_snake_case_is_stable() -> None:
    for wire in [*CASES, "from", "timeout", "class"]:
        once = snake_case(wire)
        assert snake_case(once) == once, wire
