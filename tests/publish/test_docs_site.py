"""The docs site builds with ``mkdocs build --strict``: no missing page, broken link or anchor."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "generated"
CONFIG = GENERATED / "mkdocs.yml"


def build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True, text=True, check=False, timeout=300,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = build(CONFIG, out)
    assert result.returncode == 0, result.stderr
    return out


def test_site_has_every_page(site: Path) -> None:
    providers = sorted(path.stem for path in (ROOT / "specs").glob("*.yaml"))
    for page in ["", "capabilities", "one_interface", "errors", "changelog", *providers]:
        assert (site / page / "index.html").is_file(), page or "index"


def test_capability_matrix_page_shows_computed_facts(site: Path) -> None:
    html = (site / "capabilities" / "index.html").read_text(encoding="utf-8")
    assert "<code>submit_and_wait</code>" in html
    assert "1:4, 4:1, 1:8, 8:1" in html


def test_provider_page_shows_runnable_sync_and_async_programs(site: Path) -> None:
    html = (site / "api_generate" / "index.html").read_text(encoding="utf-8")
    assert 'id="quick-start"' in html
    assert "async with AsyncClient(" in html
    assert "asyncio.run(main())" in html


def test_changelog_page_is_the_generated_changelog(site: Path) -> None:
    html = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    changelog = GENERATED / "CHANGELOG.md"
    if not changelog.is_file():
        assert "This build has no <code>CHANGELOG.md</code>" in html
        return
    headings = [line[3:] for line in changelog.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    assert headings, "the changelog has no entry"
    assert headings[0] in html


def test_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    copy = tmp_path / "generated"
    shutil.copytree(GENERATED, copy, ignore=shutil.ignore_patterns("imagerelay", "openapi", "__pycache__"))
    page = copy / "docs" / "errors.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [gone](missing.md).\n", encoding="utf-8")
    result = build(copy / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "missing.md" in result.stderr


def _text(page: Path) -> str:
    import html
    import re

    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))))


def test_api_reference_is_read_from_the_code(site: Path) -> None:
    # mkdocstrings renders signatures and docstrings of the package itself: the per-call
    # extras appear because the generated methods have them, not because a page says so.
    from generator.pipeline import build_ir

    for ir in build_ir(ROOT / "specs"):
        text = _text(site / "reference" / ir.id / "index.html")
        assert "AsyncClient" in text and "with_raw_response" in text, ir.id
        assert "extra_body : ExtraBody | None = None" in text, ir.id
        missing = [cls.name for cls in ir.classes if f"{cls.name} Bases:" not in text]
        assert missing == [], (ir.id, missing)
    runtime = _text(site / "reference" / "index.html")
    for member in ("with_options", "save_images", "download", "RawResponse", "InvalidRequestError",
                   "UnknownModelWarning"):
        assert member in runtime, member


def test_one_interface_page_shows_each_relays_mapping_and_reasons(site: Path) -> None:
    text = _text(site / "one_interface" / "index.html")
    assert "generationConfig.imageConfig.aspectRatio" in text  # where gemini_12ai takes the ratio
    assert "by model id: NanoBananaPro-1K=1K" in text  # chat_stream's tier is its model
    assert "— sizes are the 1K/2K/4K tiers only" in text  # a reason, as the spec gives it
    assert "fallback_after_billing=True" in text
