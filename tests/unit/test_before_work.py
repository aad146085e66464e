"""``errors.before_work``: error replies a spec marks as coming before any paid work reach the
generated ``PROVIDER``, which ``imagerelay.generate``'s fallback reads (issue 15, item 4)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from generator.pipeline import build_ir, generate

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "bad_specs"))
from test_bad_specs import MINIMAL_SPEC

MARKERS = """\
errors:
  before_work:
    - {status: 503, message: no channel, reason: "the doc: 503 no channel is not charged"}
    - {status: 502, reason: "the doc: the gateway answers 502 before queueing"}

model_families:"""


def _spec_dir(tmp_path: Path) -> Path:
    (tmp_path / "minimal.yaml").write_text(MINIMAL_SPEC.replace("model_families:", MARKERS, 1), encoding="utf-8")
    return tmp_path


def test_markers_reach_the_ir_in_spec_order(tmp_path: Path) -> None:
    (ir,) = build_ir(_spec_dir(tmp_path))
    assert ir.before_work == ((503, "no channel"), (502, ""))


def test_the_generated_provider_config_carries_them(tmp_path: Path) -> None:
    files = {file.path: file.content for file in generate(_spec_dir(tmp_path), ROOT / "templates")}
    module = ast.parse(files["imagerelay/minimal/client.py"])
    (config,) = [node.value for node in module.body if isinstance(node, ast.AnnAssign)
                 and isinstance(node.target, ast.Name) and node.target.id == "PROVIDER"]
    assert isinstance(config, ast.Call)
    given = {keyword.arg: ast.literal_eval(keyword.value) for keyword in config.keywords if keyword.arg == "before_work"}
    assert given == {"before_work": ((503, "no channel"), (502, ""))}
    # The one-interface page names them where it lists what lets a fallback move on.
    assert 'here: minimal 503 containing "no channel", 502).' in files["docs/one_interface.md"]


def test_the_shipped_specs_mark_nothing() -> None:
    # No seed doc says an error reply comes before paid work, so no shipped spec may claim it.
    assert [ir.id for ir in build_ir(ROOT / "specs") if ir.before_work] == []
