"""``python -m generator.scaffold``: the new-provider spec validates, generates a working client, and
uses every construct of the spec language.

The list of constructs is derived from the pydantic models in ``generator/spec/schema.py``, so a key
or literal value added to the language fails this test until the scaffold shows it too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from generator.pipeline import generate
from generator.render.write import write_tree
from generator.scaffold import ScaffoldError, check_name, main, scaffold_text, write_scaffold
from generator.spec.load import CheckedSpec, check_spec_file
from generator.spec.schema import RULE_KINDS, ProviderSpec

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
NAME = "acme_relay"

# Fields that take one value per spec: the scaffold shows one and names the others in comments.
ONE_VALUE_PER_SPEC = {("Auth", "scheme"), ("EndpointSpec", "method")}


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CheckedSpec]:
    specs = tmp_path_factory.mktemp("scaffold") / "specs"
    path = write_scaffold(NAME, specs, TEMPLATES)
    checked, problems = check_spec_file(path, f"specs/{NAME}.yaml")
    assert [str(problem) for problem in problems] == []
    assert checked is not None
    return path, checked


# -- the language's constructs, from the schema models ----------------------------------------------


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def _language() -> dict[type[BaseModel], set[str]]:
    """Every model reachable from ProviderSpec, with its field names."""
    found: dict[type[BaseModel], set[str]] = {}
    stack: list[type[BaseModel]] = [ProviderSpec]
    while stack:
        cls = stack.pop()
        if cls not in found:
            found[cls] = set(cls.model_fields)
            stack.extend(model for field in cls.model_fields.values() for model in _models_in(field.annotation))
    return found


def _literals(annotation: Any) -> set[Any]:
    if get_origin(annotation) is Literal:
        return set(get_args(annotation))
    return {value for arg in get_args(annotation) for value in _literals(arg)}


def _instances(value: Any) -> Iterator[BaseModel]:
    if isinstance(value, BaseModel):
        yield value
        for name in type(value).model_fields:
            yield from _instances(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _instances(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _instances(item)


def _flat(value: Any) -> list[Any]:
    return [item for part in value for item in _flat(part)] if isinstance(value, (list, tuple)) else [value]


def test_the_language_is_found_whole() -> None:
    # A guard on the walk itself: if it stopped early, the coverage tests below would prove little.
    names = {cls.__name__ for cls in _language()}
    assert {"ProviderSpec", "FieldSpec", "OneOfRule", "ExclusiveRule", "PollingSpec", "ImageInputSpec",
            "InlineImageSpec", "ExampleResponse", "MaxItemsSpec", "PixelSpec", "FromSizeTable"} <= names
    assert len(names) >= 30


def test_every_key_of_every_construct_is_set_in_the_scaffold(scaffolded: tuple[Path, CheckedSpec]) -> None:
    used: dict[type[BaseModel], set[str]] = {}
    for instance in _instances(scaffolded[1].spec):
        used.setdefault(type(instance), set()).update(instance.model_fields_set)
    missing = sorted(f"{cls.__name__}.{name}" for cls, names in _language().items()
                     for name in names - used.get(cls, set()))
    assert missing == []


def test_every_literal_value_of_the_language_is_used(scaffolded: tuple[Path, CheckedSpec]) -> None:
    path, checked = scaffolded
    text = path.read_text(encoding="utf-8")
    instances = list(_instances(checked.spec))
    missing = []
    for cls, names in _language().items():
        for name in sorted(names):
            allowed = _literals(cls.model_fields[name].annotation)
            if not allowed:
                continue
            if (cls.__name__, name) in ONE_VALUE_PER_SPEC:
                # One value is used; the others must at least be named in a comment.
                missing += [f"{cls.__name__}.{name}={value}" for value in allowed if str(value) not in text]
                continue
            used = {item for instance in instances if type(instance) is cls
                    for item in _flat(getattr(instance, name))}
            missing += [f"{cls.__name__}.{name}={value}" for value in sorted(allowed - used, key=str)]
    assert missing == []


def test_every_rule_kind_and_field_type_is_present(scaffolded: tuple[Path, CheckedSpec]) -> None:
    text = scaffolded[0].read_text(encoding="utf-8")
    for kind in RULE_KINDS:
        assert f"- {kind}:" in text, kind
    types = {instance.type for instance in _instances(scaffolded[1].spec) if type(instance).__name__ == "FieldSpec"}
    assert types >= {"string", "integer", "number", "boolean", "object", "array", "file", "any", "model", "union"}


def test_every_section_is_commented() -> None:
    lines = scaffold_text(NAME, TEMPLATES).splitlines()
    for key in ProviderSpec.model_fields:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        nearby = [lines[index], *lines[index + 1:index + 4]]
        assert any("#" in line for line in nearby), f"section '{key}' has no comment"


def test_the_authoring_guide_names_every_key_and_its_snippets_parse() -> None:
    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    missing = []
    for cls, names in _language().items():
        for name in sorted(names):
            key = cls.model_fields[name].alias or name
            if not re.search(rf"(?<![\w.-]){re.escape(key)}:", guide) and f"`{key}`" not in guide:
                missing.append(f"{cls.__name__}.{key}")
    assert missing == []
    for snippet in re.findall(r"```yaml\n(.*?)```", guide, re.DOTALL):
        # "{...}" and "..." stand for parts the reader has seen above.
        yaml.safe_load(snippet.replace("{...}", "{}").replace("    ...\n", ""))


# -- it generates a working client ------------------------------------------------------------------

CLIENT_SCRIPT = textwrap.dedent(
    """
    import httpx
    from imagerelay import acme_relay
    from imagerelay._runtime.errors import InvalidRequestError

    seen = []
    replies = iter([
        {"code": 0, "message": "ok", "data": {"id": "task_1", "status": "queued"}},
        {"code": 0, "message": "ok", "data": {"id": "task_1", "status": "running", "progress": 50}},
        {"code": 0, "message": "ok", "data": {"id": "task_1", "status": "succeeded"}},
        {"created": 1, "data": [{"url": "https://cdn.example.com/a.png"}]},
        {"id": "file_1", "url": "https://cdn.example.com/refs/2024/cat.png"},
    ])

    def handler(request):
        seen.append(f"{request.method} {request.url.raw_path.decode()} {request.headers['authorization']}")
        return httpx.Response(200, json=next(replies))

    client = acme_relay.Client("k-1", transport=httpx.MockTransport(handler))
    client._sleep = lambda seconds: None
    output = client.submit_and_wait(model="image-pro", prompt="a red cube", size="16:9")
    print([image.url for image in output.images()])
    print(client.upload(folder="refs/2024", file=("cat.png", b"\\x89PNG\\r\\n\\x1a\\n")).url)
    print("\\n".join(seen))
    try:
        client.generate(model="image-1", prompt="p", aspect_ratio="1:1", strength=0.5)
    except InvalidRequestError as error:
        print(error.problems)

    # The scaffold's mock relay, with no fixture: a task through its statuses, a multipart upload.
    from imagerelay.mock import MockRelay

    relay = MockRelay("acme_relay", task_seconds=0.05)
    with relay.client(in_process=True) as mocked:
        done = mocked.submit_and_wait(model="image-pro", prompt="a red cube", size="16:9", poll_interval=0.01)
        print(len(done.images()), done.images()[0].url.split("/__mock/images/")[0])
        print(mocked.upload(folder="refs/2024", file=("cat.png", b"\\x89PNG\\r\\n\\x1a\\n")).url)
    """
)


def test_the_scaffold_generates_a_client_that_works(scaffolded: tuple[Path, CheckedSpec], tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, generate(scaffolded[0].parent, TEMPLATES))
    assert (out / "imagerelay" / NAME / "client.py").is_file()
    assert (out / "docs" / f"{NAME}.md").is_file()
    env = {**os.environ, "PYTHONPATH": str(out), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", CLIENT_SCRIPT], cwd=tmp_path, env=env, capture_output=True,
                            text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['https://cdn.example.com/a.png']",
        "https://cdn.example.com/refs/2024/cat.png",
        "POST /v1/tasks Key k-1",
        "GET /v1/tasks/task_1 Key k-1",
        "GET /v1/tasks/task_1 Key k-1",
        "GET /v1/tasks/task_1/output Key k-1",
        "POST /v1/files/refs/2024 Key k-1",
        ("[\"strength is not supported when model family 'image-basic' (model='image-1') (Base models do not "
        "edit.)\"]"),
        "1 http://mock.relay",
        "https://cdn.example.com/refs/2024/cat.png",  # the documented upload reply (not an image field)
    ]


# -- the command ------------------------------------------------------------------------------------


def test_an_existing_spec_is_kept_unless_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / f"{NAME}.yaml"
    target.write_text("# mine\n", encoding="utf-8")
    assert main([NAME, "--specs", str(tmp_path)]) == 2
    assert target.read_text(encoding="utf-8") == "# mine\n"
    assert capsys.readouterr().err == f"error: {target} already exists; pass --force to overwrite it\n"
    assert main([NAME, "--specs", str(tmp_path), "--force"]) == 0
    assert target.read_text(encoding="utf-8") == scaffold_text(NAME, TEMPLATES)
    assert f"wrote {target}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Acme", "'Acme' is not a provider id: use a lower_snake_case identifier such as api_generate"),
        ("acme-relay", "'acme-relay' is not a provider id: use a lower_snake_case identifier such as api_generate"),
        ("1acme", "'1acme' is not a provider id: use a lower_snake_case identifier such as api_generate"),
        ("a" * 33, f"'{'a' * 33}' is 33 characters long; a provider id has at most 32"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, problem: str
) -> None:
    with pytest.raises(ScaffoldError) as caught:
        check_name(name)
    assert str(caught.value) == problem
    assert main([name, "--specs", str(tmp_path / "specs")]) == 2
    assert capsys.readouterr().err == f"error: {problem}\n"
    assert not (tmp_path / "specs").exists()


def test_the_name_fills_id_and_environment_variables() -> None:
    text = scaffold_text("my_relay", TEMPLATES)
    assert "  id: my_relay  #" in text
    assert "  env: MY_RELAY_API_KEY  #" in text
    assert "  env: MY_RELAY_BASE_URL  #" in text
    assert 'title: "My Relay relay' in text
