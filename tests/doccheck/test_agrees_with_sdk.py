"""doc-check judges a doc's request example the way the generated client judges the same call:
an example it calls rejected is one ``imagerelay`` refuses before sending, and the other way
round (fixed seed; the rule classes are shared, the field walk is doc-check's own)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import httpx
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from imagerelay import api_generate
from imagerelay._runtime.errors import InvalidRequestError

from generator.doccheck.cli import load_target
from generator.doccheck.examples import ExampleJudge

ROOT = Path(__file__).resolve().parents[2]
TARGET = load_target(ROOT / "specs/api_generate.yaml")
GENERATE = next(endpoint for endpoint in TARGET.ir.endpoints if endpoint.name == "generate")
REPLY = {"id": "t", "status": "succeeded", "results": [{"url": "https://cdn.test/x.png"}]}
_RATIOS = ["auto", "1:1", "16:9", "21:9", "9:21", "1:4", "8:1", "2:1", "1024x1024", "1672x941", "2048x2048",
           "3840x2160", "4000x1000", "3504x2336", "3504x2340", "640x640", "16x9"]


def _sdk_refuses(arguments: dict[str, Any]) -> bool:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=REPLY))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with api_generate.Client("k", transport=transport) as client:
            try:
                client.generate(**arguments)
            except InvalidRequestError:
                return True
    return False


@seed(20261207)
@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from([*TARGET.ir.model_ids, "nano-banana-9"]),
       ratio=st.one_of(st.none(), st.sampled_from(_RATIOS),
                       st.builds("{}x{}".format, st.integers(1, 5000), st.integers(1, 5000))),
       size=st.one_of(st.none(), st.sampled_from(["1K", "2K", "4K"])))
def test_doc_check_rejects_an_example_iff_the_client_refuses_the_call(model: str, ratio: str | None,
                                                                      size: str | None) -> None:
    body: dict[str, Any] = {"model": model, "prompt": "a cat", "replyType": "json"}
    arguments: dict[str, Any] = {"model": model, "prompt": "a cat"}
    if ratio is not None:
        body["aspectRatio"] = arguments["aspect_ratio"] = ratio
    if size is not None:
        body["imageSize"] = arguments["image_size"] = size
    problems = ExampleJudge(TARGET.ir).request(GENERATE, body, {})
    rejected = [problem for problem in problems if problem.kind == "example-rejected"]
    assert bool(rejected) == _sdk_refuses(arguments), (body, problems)
