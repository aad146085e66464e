"""Semantic checks of the spec stage, on the real specs and on targeted edits of a copy of api_generate.yaml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.check import check_provider, check_spec_dir
from generator.errors import SpecError
from generator.spec.load import check_spec_file, load_specs

ROOT = Path(__file__).resolve().parent.parent.parent
SPECS = sorted((ROOT / "specs").glob("*.yaml"))
# A frozen copy of specs/api_generate.yaml, so the expected line numbers below do not
# move every time the real spec is edited.
API_GENERATE = (Path(__file__).resolve().parent / "data" / "api_generate.yaml").read_text(encoding="utf-8")


def _edited(*edits: tuple[str, str]) -> str:
    text = API_GENERATE
    for old, new in edits:
        assert text.count(old) == 1, f"edit target must be unique: {old!r}"
        text = text.replace(old, new)
    return text


def _check(tmp_path: Path, text: str, stem: str = "api_generate") -> list[str]:
    """Diagnostics for ``text`` saved as ``STEM.yaml``, as the CLI prints them."""
    path = tmp_path / f"{stem}.yaml"
    path.write_text(text, encoding="utf-8")
    checked, problems = check_spec_file(path, f"specs/{stem}.yaml")
    assert (checked is None) == bool(problems)
    return [str(d) for d in SpecError(problems).diagnostics]


def _problems(tmp_path: Path, *edits: tuple[str, str]) -> list[str]:
    return _check(tmp_path, _edited(*edits))


AT = "specs/api_generate.yaml"


# -- the real specs ------------------------------------------------------------------------


def test_there_are_real_specs() -> None:
    assert {path.stem for path in SPECS} >= {"api_generate", "chat_stream", "gemini_12ai", "gemini_jobs", "image_tasks"}


@pytest.mark.parametrize("path", SPECS, ids=[path.stem for path in SPECS])
def test_real_spec_passes(path: Path) -> None:
    checked, problems = check_spec_file(path, f"specs/{path.name}")
    assert [str(p) for p in problems] == []
    assert checked is not None
    assert checked.spec.provider.id == path.stem
    assert checked.display_name == f"specs/{path.name}"
    assert checked.loaded.file == f"specs/{path.name}"


def test_load_specs_checks_the_whole_folder() -> None:
    checked = load_specs(ROOT / "specs")
    assert [c.display_name for c in checked] == [f"specs/{path.name}" for path in SPECS]


def test_load_specs_on_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "notes.yml").write_text("spec_version: 1\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_specs(tmp_path / "specs")
    assert str(caught.value) == "specs:1:1: error: no *.yaml spec files found"


def test_load_specs_reports_the_problems_of_every_file_sorted(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "api_generate.yaml").write_text(
        _edited(("fixed: {replyType: stream}", "fixed: {replyType: sse}")), encoding="utf-8"
    )
    (tmp_path / "specs" / "relay.yaml").write_text(API_GENERATE, encoding="utf-8")
    (tmp_path / "specs" / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_specs(tmp_path / "specs")
    assert str(caught.value).splitlines() == [
        ("specs/api_generate.yaml:234:26: error: at endpoints.generate_stream.request.fixed.replyType: "
        "fixed value 'sse' for 'replyType' is not one of: json, stream, async"),
        "specs/empty.yaml:1:1: error: the file is empty; expected a provider spec",
        "specs/relay.yaml:6:7: error: at provider.id: provider id 'api_generate' must equal the file name 'relay'",
    ]


# -- targeted edits of api_generate.yaml ---------------------------------------------------


def test_the_unedited_text_passes(tmp_path: Path) -> None:
    assert _check(tmp_path, API_GENERATE) == []


def test_undefined_family_in_a_rule(tmp_path: Path) -> None:
    assert _problems(tmp_path, ("when: {family: [nano-banana-2]}", "when: {family: [nano-banana-3]}")) == [
        (f"{AT}:138:25: error: at schemas.GenerateBody.rules[1].when.family[0]: model family 'nano-banana-3' "
        "is not defined (families: gpt-image-2, gpt-image-2-vip, nano-banana, nano-banana-2)")
    ]


def test_undefined_family_in_a_size_table(tmp_path: Path) -> None:
    assert _problems(tmp_path, ("    families: [gpt-image-2-vip]\n", "    families: [gpt-image-2-pro]\n")) == [
        (f"{AT}:78:16: error: at size_tables.gpt-image-2-vip.families[0]: model family 'gpt-image-2-pro' "
        "is not defined (families: gpt-image-2, gpt-image-2-vip, nano-banana, nano-banana-2)")
    ]


def test_fixed_value_outside_the_enum(tmp_path: Path) -> None:
    assert _problems(tmp_path, ("fixed: {replyType: stream}", "fixed: {replyType: sse}")) == [
        (f"{AT}:234:26: error: at endpoints.generate_stream.request.fixed.replyType: "
        "fixed value 'sse' for 'replyType' is not one of: json, stream, async")
    ]


def test_ratio_enum_value_in_pixel_form(tmp_path: Path) -> None:
    assert _problems(tmp_path, ('"5:4", "4:5", "21:9"]', '"5:4", "4:5", 21x9]')) == [
        (f"{AT}:53:85: error: at enums.AspectRatio.values[10]: '21x9' is not an aspect ratio "
        "(expected W:H, e.g. 16:9, or auto)")
    ]


def test_status_enum_without_outcomes(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        ("violation, outcome: violation}", "violation}"),
        ("succeeded, outcome: success}", "succeeded}"),
        ("failed, outcome: failure}", "failed}"),
    )
    assert problems == [
        (f"{AT}:176:20: error: at schemas.TaskResult.task.status_enum: status enum 'TaskStatus' marks no value "
        "with an outcome (success, failure or violation), so polling could never stop")
    ]


def test_polling_target_without_task(tmp_path: Path) -> None:
    task = "    task:\n      status: status\n      status_enum: TaskStatus\n      progress: progress\n      error: error\n"
    assert _problems(tmp_path, (task, "")) == [
        (f"{AT}:244:12: error: at endpoints.submit.polling.get: the response schema 'TaskResult' of 'get_result' "
        "declares no 'task' (status field and status enum), so it cannot be polled")
    ]


def test_polling_id_param_and_id_from(tmp_path: Path) -> None:
    problems = _problems(tmp_path, ("      id_param: id\n", "      id_param: task_id\n"),
                         ("      id_from: id\n", "      id_from: task.id\n"))
    assert problems == [
        (f"{AT}:250:16: error: at endpoints.submit.polling.id_from: 'task.id': no field 'task' here "
        "(fields: error, id, progress, results, status)"),
        (f"{AT}:251:17: error: at endpoints.submit.polling.id_param: 'task_id' is not a request field of "
        "'get_result' (fields: id)"),
    ]


def test_polling_get_names_an_undefined_endpoint(tmp_path: Path) -> None:
    assert _problems(tmp_path, ("      get: get_result\n", "      get: result\n")) == [
        (f"{AT}:249:12: error: at endpoints.submit.polling.get: endpoint 'result' is not defined "
        "(endpoints: generate, generate_stream, get_result, submit)")
    ]


def test_image_url_path_names_a_missing_field(tmp_path: Path) -> None:
    assert _problems(tmp_path, ('urls: ["results[].url"]', 'urls: ["results[].link"]')) == [
        (f"{AT}:173:14: error: at schemas.TaskResult.images.urls[0]: 'results[].link': no field 'link' here "
        "(fields: url)")
    ]


def test_each_marker_on_a_non_array(tmp_path: Path) -> None:
    assert _problems(tmp_path, ('urls: ["results[].url"]', 'urls: ["error[]"]')) == [
        (f"{AT}:173:14: error: at schemas.TaskResult.images.urls[0]: 'error[]': 'error' is not an array, "
        "so '[]' does not apply")
    ]


def test_rule_condition_on_a_missing_field(tmp_path: Path) -> None:
    edit = ("        when: {family: [gpt-image-2]}\n", "        when: {field: mdl, family: [gpt-image-2]}\n")
    assert _problems(tmp_path, edit) == [
        (f"{AT}:143:23: error: at schemas.GenerateBody.rules[2].when.field: 'mdl': no field 'mdl' here "
        "(fields: aspectRatio, imageSize, images, model, prompt, replyType)")
    ]


def test_rule_condition_needs_family_or_in(tmp_path: Path) -> None:
    edit = ("        when: {family: [gpt-image-2]}\n", "        when: {family: [gpt-image-2], in: [x]}\n")
    assert _problems(tmp_path, edit) == [
        f"{AT}:143:15: error: at schemas.GenerateBody.rules[2].when: a condition needs exactly one of 'family' or 'in'"
    ]


def test_undefined_size_table_and_enum_in_rules(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        ("size_table: {table: gpt-image-2, include", "size_table: {table: gpt-image-3, include"),
        ("        when: {family: [nano-banana]}\n        enum: AspectRatio\n",
         "        when: {family: [nano-banana]}\n        enum: AspectRatios\n"),
    )
    assert problems == [
        (f"{AT}:136:15: error: at schemas.GenerateBody.rules[0].enum: enum 'AspectRatios' is not defined "
        "(enums: AspectRatio, ExtraAspectRatio, ImageSize, ReplyType, TaskStatus)"),
        (f"{AT}:145:29: error: at schemas.GenerateBody.rules[2].size_table.table: size table 'gpt-image-3' "
        "is not defined (tables: gpt-image-2, gpt-image-2-vip)"),
    ]


def test_model_in_two_families(tmp_path: Path) -> None:
    edit = ("      - nano-banana-pro-4k-vip\n", "      - nano-banana-pro-4k-vip\n      - gpt-image-2\n")
    assert _problems(tmp_path, edit) == [
        (f"{AT}:45:14: error: at model_families.gpt-image-2.models[0]: model 'gpt-image-2' is already in family "
        "'nano-banana'; a model belongs to one family")
    ]


def test_size_table_tier_and_token_row(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        ('"1:1": {1K: 1024x1024}\n      "16:9": {1K: 1672x941}', '"1:1": {2K: 1024x1024}\n      "16:9": {1K: 1672x941}'),
        ("    tiers: [1K]\n", '    tiers: [1K]\n    tokens: {"7:3": 10}\n'),
    )
    assert problems[0] == (
        f"{AT}:101:14: error: at size_tables.gpt-image-2.tokens.7:3: token count for '7:3', which has no row"
    )
    # The tier's column is pinned (at the key) by tests/bad_specs/undeclared_tier.expected.
    assert problems[1].startswith(f"{AT}:103:")
    assert problems[1].endswith(": error: at size_tables.gpt-image-2.rows.1:1.2K: tier '2K' is not one of the "
                                "table's tiers: 1K")
    assert len(problems) == 2


def test_stream_keys_on_a_json_response_and_bad_stream_finish(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        ("    response:\n      schema: TaskResult\n    examples:\n      - name: nano-banana-2\n",
         '    response:\n      schema: TaskResult\n      stream_done: "[DONE]"\n    examples:\n      - name: nano-banana-2\n'),
        ("      kind: sse\n      schema: TaskResult\n", "      kind: sse\n      schema: TaskResult\n      stream_finish: results[].done\n"),
    )
    assert problems == [
        (f"{AT}:190:20: error: at endpoints.generate.response.stream_done: 'stream_done' applies to 'kind: sse' "
        "responses only"),
        (f"{AT}:239:22: error: at endpoints.generate_stream.response.stream_finish: 'results[].done': no field "
        "'done' here (fields: url)"),
    ]


def test_auth_header_needs_a_name(tmp_path: Path) -> None:
    assert _problems(tmp_path, ("  scheme: bearer\n", "  scheme: header\n")) == [
        f"{AT}:21:3: error: at auth: auth scheme 'header' needs 'name' (the header or query parameter)"
    ]


def test_provider_id_must_equal_the_file_name(tmp_path: Path) -> None:
    assert _check(tmp_path, API_GENERATE, stem="relay") == [
        "specs/relay.yaml:6:7: error: at provider.id: provider id 'api_generate' must equal the file name 'relay'"
    ]


def test_field_level_mistakes(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        ("      replyType: {type: string, enum: ReplyType,", "      replyType: {type: string, enum: ReplyType, default: sync,"),
        ("imageSize: {type: string, enum: ImageSize,", "imageSize: {type: string, enum: ImageSize, values: [1K],"),
        ("      progress: {type: integer,", "      progress: {type: integer, variants: [{type: string}],"),
        ("            url: {type: string, description", "            url: {ref: Url, in: path, description"),
    )
    assert problems == [
        (f"{AT}:131:18: error: at schemas.GenerateBody.fields.imageSize: use either 'enum' (a named enum) or "
        "'values' (inline), not both"),
        (f"{AT}:132:59: error: at schemas.GenerateBody.fields.replyType.default: default 'sync' is not one of: "
        "json, stream, async"),
        (f"{AT}:163:17: error: at schemas.TaskResult.fields.progress: 'variants' goes with 'type: union', and a "
        "union needs 'variants'"),
        (f"{AT}:170:24: error: at schemas.TaskResult.fields.results.items.fields.url.ref: schema 'Url' is not "
        "defined (schemas: GenerateBody, TaskResult)"),
        (f"{AT}:170:33: error: at schemas.TaskResult.fields.results.items.fields.url.in: only top-level request "
        "fields can be sent in 'path'"),
    ]


def test_body_none_with_body_fields(tmp_path: Path) -> None:
    edit = ("      schema: GenerateBody\n      fixed: {replyType: async}\n",
            "      body: none\n      schema: GenerateBody\n      fixed: {replyType: async}\n")
    assert _problems(tmp_path, edit) == [
        (f"{AT}:244:13: error: at endpoints.submit.request.body: 'body: none' but the request has body fields: "
        "aspectRatio, imageSize, images, model, prompt, replyType")
    ]


def test_examples_use_request_fields(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        ("            imageSize: 1K\n            replyType: json\n", "            imageSize: 1K\n            reply_type: json\n"),
        ("query: {id: 1-6634fd9a", "query: {task: 1-6634fd9a"),
    )
    assert problems == [
        (f"{AT}:200:13: error: at endpoints.generate.examples[0].request.json.reply_type: example sends "
        "'reply_type', which is not a request field here "
        "(fields: aspectRatio, imageSize, images, model, prompt, replyType)"),
        (f"{AT}:266:19: error: at endpoints.get_result.examples[0].request.query.task: example sends 'task', "
        "which is not a request field here (fields: id)"),
    ]


def test_loader_problems_do_not_hide_semantic_ones(tmp_path: Path) -> None:
    prompt = "      prompt: {type: string, required: true, description: 提示词 / prompt}\n"
    problems = _problems(
        tmp_path,
        (prompt, prompt + "      prompt: {type: string}\n"),
        ("when: {family: [nano-banana-2]}", "when: {family: [nano-banana-3]}"),
    )
    assert [line.split(": error: ")[0] for line in problems] == [f"{AT}:122:7", f"{AT}:139:25"]
    assert "duplicate key 'prompt'" in problems[0]
    assert "model family 'nano-banana-3' is not defined" in problems[1]


def test_many_semantic_mistakes_are_reported_at_once(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        ("when: {family: [nano-banana-2]}", "when: {family: [nano-banana-3]}"),
        ("fixed: {replyType: stream}", "fixed: {replyType: sse}"),
        ('urls: ["results[].url"]', 'urls: ["error[]"]'),
        ("      get: get_result\n", "      get: result\n"),
        ("  scheme: bearer\n", "  scheme: header\n"),
    )
    assert [line.split(": error: ")[0] for line in problems] == [
        f"{AT}:21:3", f"{AT}:138:25", f"{AT}:173:14", f"{AT}:234:26", f"{AT}:249:12",
    ]


def test_shape_errors_are_all_reported(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        ("  scheme: bearer\n", "  scheme: cookie\n"),
        ("    method: GET\n", "    method: FETCH\n"),
        ("include: [ratios, sizes]", "include: [ratios, pixels]"),
        ("          max_edge: 3840\n", "          max_edge: big\n"),
    )
    assert problems == [
        f"{AT}:21:11: error: at auth.scheme: 'cookie' is not allowed; expected 'bearer', 'header', 'query' or 'none'",
        (f"{AT}:145:60: error: at schemas.GenerateBody.rules[2].size_table.include[1]: 'pixels' is not allowed; "
        "expected 'ratios' or 'sizes'"),
        (f"{AT}:151:21: error: at schemas.GenerateBody.rules[3].pixel.max_edge: expected an integer, got 'big' "
        "(values are never converted: write a plain decimal integer unquoted)"),
        (f"{AT}:255:13: error: at endpoints.get_result.method: 'FETCH' is not allowed; expected 'GET', 'POST', "
        "'PUT', 'PATCH' or 'DELETE'"),
    ]


def test_unknown_key_in_a_rule_lists_that_rule_kinds_keys(tmp_path: Path) -> None:
    edit = ("        values: [auto]\n        pixel:\n", "        valuez: [auto]\n        pixel:\n")
    problems = _problems(tmp_path, edit)
    # Which column an unknown key is reported at is pinned by tests/bad_specs/unknown_key.expected.
    assert len(problems) == 1
    assert problems[0].startswith(f"{AT}:149:")
    assert problems[0].endswith(
        ": error: at schemas.GenerateBody.rules[3].valuez: unknown key 'valuez'; allowed keys: enum, "
        "note, one_of, pixel, size_table, values, when"
    )


def test_rule_with_two_kinds(tmp_path: Path) -> None:
    edit = ("      - one_of: aspectRatio\n        when: {family: [gpt-image-2-vip]}\n",
            "      - one_of: aspectRatio\n        forbid: images\n        when: {family: [gpt-image-2-vip]}\n")
    problems = _problems(tmp_path, edit)
    assert len(problems) == 1
    assert problems[0].startswith(
        f"{AT}:147:9: error: at schemas.GenerateBody.rules[3]: a rule needs exactly one of the keys: "
        "one_of, forbid, require, require_any, max_items, exclusive (got "
    )


# -- gaps that used to pass the checker -----------------------------------------------------


def _located(problems: list[str], line: int, path_prefix: str) -> list[str]:
    return [p for p in problems if p.startswith(f"{AT}:{line}:") and f"error: at {path_prefix}" in p]


def test_fields_whose_python_names_collide(tmp_path: Path) -> None:
    edit = ("      imageSize: {type: string, enum: ImageSize,",
            "      aspect_ratio: {type: string}\n      imageSize: {type: string, enum: ImageSize,")
    problems = _problems(tmp_path, edit)
    assert _located(problems, 131, "schemas.GenerateBody.fields.aspect_ratio"), problems
    assert "aspectRatio" in problems[0]


def test_file_items_in_a_json_body(tmp_path: Path) -> None:
    edit = ("        items: {type: string}\n        description: 参考图", "        items: {type: file}\n        description: 参考图")
    problems = _problems(tmp_path, edit)
    assert _located(problems, 124, "schemas.GenerateBody.fields.images.items"), problems


def test_fixed_value_of_the_wrong_type(tmp_path: Path) -> None:
    problems = _problems(tmp_path, ("      fixed: {replyType: json}\n", "      fixed: {replyType: json, prompt: [1, 2]}\n"))
    assert _located(problems, 187, "endpoints.generate.request.fixed.prompt"), problems


def test_default_of_the_wrong_type(tmp_path: Path) -> None:
    edit = ("      progress: {type: integer,", "      progress: {type: integer, default: half,")
    problems = _problems(tmp_path, edit)
    assert _located(problems, 163, "schemas.TaskResult.fields.progress.default"), problems


def test_union_without_variants_is_reported_not_a_crash(tmp_path: Path) -> None:
    assert _problems(tmp_path, ("      progress: {type: integer,", "      progress: {type: union,")) == [
        (f"{AT}:163:17: error: at schemas.TaskResult.fields.progress: 'variants' goes with 'type: union', and a "
        "union needs 'variants'")
    ]


def test_union_with_an_empty_variant_list(tmp_path: Path) -> None:
    problems = _problems(tmp_path, ("      progress: {type: integer,", "      progress: {type: union, variants: [],"))
    assert _located(problems, 163, "schemas.TaskResult.fields.progress"), problems


def test_union_path_problem_names_the_variant_that_came_closest(tmp_path: Path) -> None:
    union = (
        "      progress:\n        type: union\n        variants:\n          - {type: integer}\n"
        "          - type: array\n            items: {type: object, fields: {done: {type: integer}}}\n"
    )
    problems = _problems(
        tmp_path,
        ("      progress: {type: integer, description: 进度，0~100 / progress 0-100}\n", union),
        ('urls: ["results[].url"]', 'urls: ["results[].url", "progress[].total"]'),
    )
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{AT}:178:31: error: at schemas.TaskResult.images.urls[1]: "), problems
    assert "'total'" in problems[0] and "done" in problems[0], problems


def test_endpoint_named_like_a_generated_wait_method(tmp_path: Path) -> None:
    # With two polling endpoints the client adds wait_<submit> for each; 'wait_generate' is one of them.
    polling = "    polling:\n      get: get_result\n      id_from: id\n      id_param: id\n"
    problems = _problems(
        tmp_path,
        ("      fixed: {replyType: json}\n    response:\n      schema: TaskResult\n",
         "      fixed: {replyType: json}\n    response:\n      schema: TaskResult\n" + polling),
        ("  generate_stream:\n", "  wait_generate:\n"),
    )
    assert problems == [
        (f"{AT}:229:3: error: at endpoints.wait_generate: endpoint name 'wait_generate' clashes with the method "
         "'wait_generate' that the client adds for the polling endpoint 'generate'; choose another name")
    ]


def test_const_of_the_wrong_type(tmp_path: Path) -> None:
    edit = ("      progress: {type: integer,", "      progress: {type: integer, const: \"50\",")
    assert _problems(tmp_path, edit) == [
        (f"{AT}:163:40: error: at schemas.TaskResult.fields.progress.const: const '50' does not fit type "
         "'integer'; expected an integer")
    ]


def test_union_path_problems_of_equally_close_variants_are_all_shown(tmp_path: Path) -> None:
    union = (
        "      progress:\n        type: union\n        variants:\n"
        "          - {type: object, fields: {done: {type: integer}}}\n"
        "          - {type: object, fields: {total: {type: integer}}}\n"
    )
    problems = _problems(
        tmp_path,
        ("      progress: {type: integer, description: 进度，0~100 / progress 0-100}\n", union),
        ('urls: ["results[].url"]', 'urls: ["results[].url", "progress.left"]'),
    )
    assert problems == [
        (f"{AT}:177:31: error: at schemas.TaskResult.images.urls[1]: 'progress.left': no field 'left' here "
         "(fields: done) or no field 'left' here (fields: total)")
    ]


def test_pixel_rule_without_bounds(tmp_path: Path) -> None:
    bounds = ("          max_edge: 3840\n          multiple_of: 16\n          max_ratio: 3\n"
              "          min_pixels: 655360\n          max_pixels: 8294400\n")
    assert _problems(tmp_path, ("        pixel:\n" + bounds, "        pixel: {}\n")) == [
        (f"{AT}:150:16: error: at schemas.GenerateBody.rules[3].pixel: a pixel rule needs at least one bound: "
         "max_edge, multiple_of, max_ratio, min_pixels, max_pixels")
    ]


def test_every_stage_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    """The generator's own check (generator/check.py) collects spec-stage and IR-stage problems of all files."""
    specs = tmp_path / "specs"
    specs.mkdir()
    # A model class name clash (found by the IR's walk) and, in another file, a semantic error.
    (specs / "api_generate.yaml").write_text(API_GENERATE.replace("TaskResult", "RelayModel"), encoding="utf-8")
    (specs / "relay.yaml").write_text(API_GENERATE.replace("id: api_generate", "id: relay").replace(
        "get: get_result", "get: get_results"), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        check_spec_dir(specs)
    lines = str(caught.value).splitlines()
    assert [line.split(": error: ")[0].split(":")[0] for line in lines] == ["specs/api_generate.yaml",
                                                                             "specs/relay.yaml"]
    assert "model class name 'RelayModel' is already a name models.py" in lines[0]
    assert "endpoint 'get_results' is not defined" in lines[1]


def test_the_checker_cli_runs_the_generator_stages(tmp_path: Path) -> None:
    spec = tmp_path / "api_generate.yaml"
    spec.write_text(API_GENERATE.replace("TaskResult", "RelayModel"), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "generator.spec", str(spec)], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    assert run.returncode == 1
    assert "model class name 'RelayModel'" in run.stderr and "ok" not in run.stdout


def test_aliases_outside_nested_request_objects_are_refused_where_written() -> None:
    # Only the IR knows which classes are sent, read or both, so this runs the whole checker.
    path = Path(__file__).resolve().parent / "data" / "alias_in_reply.yaml"
    ir, problems = check_provider(path, "specs/alias_in_reply.yaml")
    assert ir is None
    assert [str(problem) for problem in problems] == [
        ("specs/alias_in_reply.yaml:47:55: error: at schemas.DrawBody.fields.prompt.aliases: 'aliases' are read only "
        "in objects nested in a request, and 'DrawBody' is a request itself, whose fields callers pass as keyword "
        "arguments"),
        ("specs/alias_in_reply.yaml:65:38: error: at schemas.Task.fields.error.aliases: 'aliases' are read only in "
        "objects nested in a request, and 'Task' is also read from replies (or sent by no endpoint), and a reply "
        "keeps every spelling it gets"),
    ]
