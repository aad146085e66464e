"""What a provider's mock relay needs beyond ``client.py``, as plain data (``mockdata.py``).

Per endpoint: its request and reply classes (the mock validates with the SDK's own models
and rules) and its documented examples (the mock's replies, and what the client tests call).
Spec text only ever reaches the module as Python literals (``py`` filter), never as code.
"""

from __future__ import annotations

import json
from typing import Any

from generator.ir.nodes import EndpointIR, ExampleIR, ProviderIR


def mock_data(provider: ProviderIR) -> dict[str, dict[str, Any]]:
    """Endpoint name -> {"request", "response", "examples"}, in the spec's order."""
    return {endpoint.name: _endpoint(endpoint) for endpoint in provider.endpoints}


def _endpoint(endpoint: EndpointIR) -> dict[str, Any]:
    return {
        "request": endpoint.request_class,
        "response": endpoint.response_class,
        "examples": [_example(endpoint, example) for example in endpoint.examples],
    }


def _example(endpoint: EndpointIR, example: ExampleIR) -> dict[str, Any]:
    reply = json.loads(example.response_json) if example.response_json else None
    found: dict[str, Any] = {
        "name": example.name,
        # The documented request as keyword arguments of the generated method.
        "call": {name: json.loads(value) for name, value in example.call_args},
        "status": example.response_status,
    }
    if endpoint.response_kind == "sse" and isinstance(reply, list):
        found["sse"] = reply
    else:
        found["json"] = reply
    return found
