"""What a provider's mock relay needs beyond ``client.py``, as JSON (``mockdata.json``).

Per endpoint: its request and reply classes (the mock validates with the SDK's own models
and rules) and its documented examples (the mock's replies, and what the client tests call).
Spec text only ever reaches the package as JSON data, never as code; a data file also costs
no formatting pass (bench figure 1).
"""

from __future__ import annotations

import json
from typing import Any

from generator.ir.nodes import ClassIR, EndpointIR, ExampleIR, PollingIR, ProviderIR

MOCK_DATA_FILE = "mockdata.json"


def mock_data_json(provider: ProviderIR) -> str:
    """The file's text: deterministic (the spec's order, no sorting needed), one value a line."""
    return json.dumps({"endpoints": mock_data(provider)}, ensure_ascii=False, indent=1) + "\n"


def mock_data(provider: ProviderIR) -> dict[str, dict[str, Any]]:
    """Endpoint name -> {"request", "response", "examples", "polling"}, in the spec's order."""
    classes = {cls.name: cls for cls in provider.classes}
    return {endpoint.name: _endpoint(endpoint, classes) for endpoint in provider.endpoints}


def _endpoint(endpoint: EndpointIR, classes: dict[str, ClassIR]) -> dict[str, Any]:
    return {
        "request": endpoint.request_class,
        "response": endpoint.response_class,
        # Values the client always sends: what tells endpoints sharing a path apart.
        "fixed": {fixed.wire_name: fixed.value for fixed in endpoint.fixed},
        "examples": [_example(endpoint, example) for example in endpoint.examples],
        "polling": _polling(endpoint.polling, classes),
    }


def _polling(polling: PollingIR | None, classes: dict[str, ClassIR]) -> dict[str, Any] | None:
    """How a submitted task is followed: the status endpoint, where the id goes, and the
    task's statuses in the spec's order (the mock walks the unfinished ones, then one final)."""
    if polling is None:
        return None
    task = classes[polling.task_class].task
    if task is None:
        return None
    final = {*task.success, *task.failure, *task.violation}
    return {
        "get": polling.get_method,
        "result": polling.result_method,
        "id_from": polling.id_from,
        "id_param": polling.id_param,
        "status": task.status_field,
        "progress": task.progress_field,
        "error": task.error_field,
        "unfinished": [status for status in task.known if status not in final],
        "success": list(task.success),
        "failure": list(task.failure),
        "violation": list(task.violation),
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
