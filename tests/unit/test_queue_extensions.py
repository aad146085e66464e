"""Spec-language constructs added for queue APIs (fal.ai): auth.prefix, "{name:path}"
placeholders, polling.result, and attribute renames for reply fields that would hide runtime methods.

Checks run on a small inline spec edited per test; IR facts on the real specs/fal_queue.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import SpecError
from generator.ir.build import RUNTIME_MEMBERS, build_provider_ir
from generator.ir.endpoints import spanning_path_params
from generator.ir.nodes import AuthIR, EndpointIR, ProviderIR
from generator.spec.load import check_spec_file

ROOT = Path(__file__).resolve().parent.parent.parent

QUEUE_SPEC = """\
spec_version: 1
provider: {id: queue, title: Queue relay, source_doc: queue.txt}
base_url: {default: "https://queue.example.com", env: QUEUE_BASE_URL}
auth: {scheme: header, name: Authorization, prefix: "Key ", env: QUEUE_KEY}
model_families:
  flux: {models: [acme/flux/dev]}
enums:
  Status:
    values: [IN_QUEUE, {value: COMPLETED, outcome: success}]
schemas:
  Input:
    fields:
      model: {type: model, in: path, required: true}
      prompt: {type: string, required: true}
  Submitted:
    fields:
      request_id: {type: string, required: true}
  StatusReply:
    fields:
      status: {type: string, enum: Status, required: true}
    task: {status: status, status_enum: Status}
  Output:
    fields:
      images:
        type: array
        items: {type: object, title: OutputImage, fields: {url: {type: string}}}
      seed: {type: integer}
    images: {urls: ["images[].url"]}
endpoints:
  submit:
    summary: Queue a request.
    method: POST
    path: "/{model:path}"
    request: {schema: Input}
    response: {schema: Submitted}
    polling: {get: get_status, id_from: request_id, id_param: request_id, result: get_result}
  get_status:
    summary: Status.
    method: GET
    path: /acme/flux/requests/{request_id}/status
    request:
      fields:
        request_id: {type: string, in: path, required: true}
    response: {schema: StatusReply}
  get_result:
    summary: Result.
    method: GET
    path: /acme/flux/requests/{request_id}
    request:
      fields:
        request_id: {type: string, in: path, required: true}
    response: {schema: Output}
"""


def _check(tmp_path: Path, *edits: tuple[str, str]) -> list[str]:
    text = QUEUE_SPEC
    for old, new in edits:
        assert text.count(old) == 1, f"edit target must be unique: {old!r}"
        text = text.replace(old, new)
    path = tmp_path / "queue.yaml"
    path.write_text(text, encoding="utf-8")
    checked, problems = check_spec_file(path, "specs/queue.yaml")
    assert (checked is None) == bool(problems)
    return [str(d) for d in SpecError(problems).diagnostics]


def _ir(tmp_path: Path) -> ProviderIR:
    path = tmp_path / "queue.yaml"
    path.write_text(QUEUE_SPEC, encoding="utf-8")
    checked, problems = check_spec_file(path, "specs/queue.yaml")
    assert problems == [] and checked is not None
    return build_provider_ir(checked)


def _endpoint(provider: ProviderIR, name: str) -> EndpointIR:
    return next(ep for ep in provider.endpoints if ep.name == name)


# -- checks ------------------------------------------------------------------------------


def test_the_queue_spec_is_valid(tmp_path: Path) -> None:
    assert _check(tmp_path) == []


@pytest.mark.parametrize("scheme", ["bearer", "query", "none"])
def test_prefix_belongs_to_header_auth_only(tmp_path: Path, scheme: str) -> None:
    name = "key" if scheme == "query" else "Authorization"
    line = f'auth: {{scheme: {scheme}, name: {name}, prefix: "Key ", env: QUEUE_KEY}}'
    problems = _check(tmp_path, ("scheme: header, name: Authorization", f"scheme: {scheme}, name: {name}"))
    assert problems == [
        (f"specs/queue.yaml:4:{line.index('prefix') + 9}: error: at auth.prefix: 'prefix' applies to 'scheme: header' "
        f"only; scheme "
        f"'{scheme}' sends the key its own way (bearer adds 'Bearer ', query sends the bare key)")
    ]


def test_path_placeholder_kinds(tmp_path: Path) -> None:
    assert _check(tmp_path, ('path: "/{model:path}"', 'path: "/{model:segments}"')) == [
        ("specs/queue.yaml:33:11: error: at endpoints.submit.path: '{model:segments}' has an unknown kind "
        "'segments'; write '{model}' for one path segment or '{model:path}' for a value that may contain '/'")
    ]
    # A ":path" placeholder still has to be declared as an 'in: path' field.
    assert _check(tmp_path, ('path: "/{model:path}"', 'path: "/{engine:path}"')) == [
        ("specs/queue.yaml:33:11: error: at endpoints.submit.path: field 'model' is 'in: path' but '{model}' is not "
        "in the path"),
        ("specs/queue.yaml:33:11: error: at endpoints.submit.path: path parameter '{engine}' has no request field "
        "with 'in: path'"),
    ]


def test_result_step_must_exist(tmp_path: Path) -> None:
    assert _check(tmp_path, ("result: get_result}", "result: get_output}")) == [
        ("specs/queue.yaml:36:83: error: at endpoints.submit.polling.result: endpoint 'get_output' is not defined "
        "(endpoints: get_result, get_status, submit)")
    ]


def test_result_step_takes_the_id_and_answers_json(tmp_path: Path) -> None:
    problems = _check(
        tmp_path,
        ("    path: /acme/flux/requests/{request_id}\n", "    path: /acme/flux/requests/{id}\n"),
        ("        request_id: {type: string, in: path, required: true}\n    response: {schema: Output}",
         "        id: {type: string, in: path, required: true}\n    response: {schema: Output, kind: sse}"),
    )
    where = "specs/queue.yaml:36:83: error: at endpoints.submit.polling.result:"
    assert problems == [
        f"{where} the result endpoint 'get_result' must answer 'kind: json', not 'sse'",
        f"{where} the result endpoint 'get_result' takes no 'request_id' (the polling id_param); its fields: id",
    ]


def test_result_step_takes_the_id_alone(tmp_path: Path) -> None:
    problems = _check(
        tmp_path,
        ("    path: /acme/flux/requests/{request_id}\n", "    path: /acme/{app}/requests/{request_id}\n"),
        ("        request_id: {type: string, in: path, required: true}\n    response: {schema: Output}",
         ("        request_id: {type: string, in: path, required: true}\n"
         "        app: {type: string, in: path}\n"
         "        seed: {type: integer, in: query, required: true}\n    response: {schema: Output}")),
    )
    assert problems == [
        ("specs/queue.yaml:36:83: error: at endpoints.submit.polling.result: 'get_result' also requires app, seed, "
        "which waiting cannot supply (it passes only 'request_id'); make them optional or fixed")
    ]


def test_the_polled_endpoint_takes_the_id_alone(tmp_path: Path) -> None:
    problems = _check(tmp_path, ("path: /acme/flux/requests/{request_id}/status",
                                 "path: /acme/{app}/requests/{request_id}/status"),
                      ("        request_id: {type: string, in: path, required: true}\n    response: {schema: StatusReply}",
                       ("        request_id: {type: string, in: path, required: true}\n"
                       "        app: {type: string, in: path}\n    response: {schema: StatusReply}")))
    assert problems == [
        ("specs/queue.yaml:36:20: error: at endpoints.submit.polling.get: 'get_status' also requires app, which "
        "waiting cannot supply (it passes only 'request_id'); make them optional or fixed")
    ]


# -- IR ----------------------------------------------------------------------------------------


def test_auth_prefix_reaches_the_ir(tmp_path: Path) -> None:
    assert _ir(tmp_path).auth == AuthIR("header", "Authorization", "QUEUE_KEY", "Key ")


def test_polling_result_step_in_the_ir(tmp_path: Path) -> None:
    polling = _endpoint(_ir(tmp_path), "submit").polling
    assert polling is not None
    assert (polling.get_method, polling.result_method) == ("get_status", "get_result")
    assert (polling.task_class, polling.result_class, polling.return_class) == ("StatusReply", "Output", "Output")


def test_without_a_result_step_waiting_returns_the_task(tmp_path: Path) -> None:
    path = tmp_path / "queue.yaml"
    path.write_text(QUEUE_SPEC.replace(", result: get_result}", "}"), encoding="utf-8")
    checked, problems = check_spec_file(path, "specs/queue.yaml")
    assert problems == [] and checked is not None
    polling = _endpoint(build_provider_ir(checked), "submit").polling
    assert polling is not None
    assert (polling.result_method, polling.result_class, polling.return_class) == (None, None, "StatusReply")


def test_spanning_path_params() -> None:
    assert spanning_path_params("/{model:path}") == ("model",)
    assert spanning_path_params("/v1/{app:path}/requests/{request_id}/{rest:path}") == ("app", "rest")
    assert spanning_path_params("/v1beta/models/{model}:generateContent") == ()


def test_spanning_params_in_the_ir(tmp_path: Path) -> None:
    provider = _ir(tmp_path)
    assert _endpoint(provider, "submit").spanning_path_params == ("model",)
    assert _endpoint(provider, "submit").path == "/{model:path}"
    assert _endpoint(provider, "submit").url_template == "/{model}"
    assert _endpoint(provider, "get_status").url_template == "/acme/flux/requests/{request_id}/status"
    assert _endpoint(provider, "get_status").spanning_path_params == ()


def test_reply_fields_that_would_hide_runtime_methods_are_renamed(tmp_path: Path) -> None:
    classes = {cls.name: cls for cls in _ir(tmp_path).classes}
    assert classes["Output"].runtime_base == "RelayResponse"
    assert classes["Output"].attribute_renames == (("images", "images_"),)
    # The same wire name on a plain model class hides nothing.
    assert classes["OutputImage"].attribute_renames == ()
    assert classes["Submitted"].attribute_renames == ()


def test_runtime_member_list_matches_the_runtime() -> None:
    from imagerelay._runtime.model import RelayModel, RelayRequest, RelayResponse
    from pydantic import BaseModel

    def added(cls: type) -> set[str]:
        names = {name for klass in cls.__mro__ if klass not in BaseModel.__mro__ for name in vars(klass)}
        return {name for name in names if not name.startswith("_") and not hasattr(BaseModel, name)}

    for cls in (RelayModel, RelayRequest, RelayResponse):
        assert set(RUNTIME_MEMBERS[cls.__name__]) == added(cls), cls.__name__


def test_fal_queue_spec_uses_all_three_constructs() -> None:
    checked, problems = check_spec_file(ROOT / "specs" / "fal_queue.yaml", "specs/fal_queue.yaml")
    assert problems == [] and checked is not None
    provider = build_provider_ir(checked)
    assert provider.auth == AuthIR("header", "Authorization", "FAL_KEY", "Key ")
    submit = _endpoint(provider, "submit")
    assert submit.spanning_path_params == ("model",)
    assert submit.polling is not None and submit.polling.return_class == "FluxOutput"
    assert provider.model_ids == ("fal-ai/flux/dev", "fal-ai/flux/dev/image-to-image")
    output = next(cls for cls in provider.classes if cls.name == "FluxOutput")
    assert output.attribute_renames == (("images", "images_"),)
