"""Generator version, SDK version scheme and spec digest."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest
from packaging.version import Version

from generator.errors import RenderError
from generator.ir.nodes import ProviderIR
from generator.pipeline import build_ir
from generator.release import advance, recorded_version, using_version
from generator.render.package_meta import (
    export_order,
    runtime_error_names,
    sdk_release,
    spec_digest,
)
from generator.version import GENERATOR_VERSION

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def irs() -> list[ProviderIR]:
    return build_ir(ROOT / "specs")


def test_generator_version_matches_the_project_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert GENERATOR_VERSION == project["version"]


@pytest.mark.parametrize(("previous", "bump", "following"), [
    (None, "minor", "0.1.0"),
    ("0.1.0", "none", "0.1.0"),
    ("0.1.0", "patch", "0.1.1"),
    ("0.1.0", "minor", "0.1.1"),   # 0.x: anything but a breaking change is a patch
    ("0.1.3", "major", "0.2.0"),   # 0.x: a breaking change is a minor
    ("1.4.2", "patch", "1.4.3"),
    ("1.4.2", "minor", "1.5.0"),
    ("1.4.2", "major", "2.0.0"),
    ("0.1.0.3179542287", "minor", "0.1.1"),  # the digest-based scheme this one replaces
    ("0.1.0.3179542287", "major", "0.2.0"),
])
def test_versions_only_go_up(previous: str | None, bump: str, following: str) -> None:
    assert advance(previous, bump) == following
    if previous is not None and bump != "none":
        assert Version(following) > Version(previous)
        assert str(Version(following)) == following, "PEP 440 normal form"


def test_a_version_that_cannot_be_advanced_is_an_error() -> None:
    with pytest.raises(RenderError, match="not a PEP 440 version"):
        advance("banana", "minor")


def test_spec_digest_is_stable_and_moves_with_the_specs(irs: list[ProviderIR]) -> None:
    digest = spec_digest(irs)
    assert re.fullmatch(r"[0-9a-f]{12}", digest)
    assert spec_digest(list(reversed(irs))) == digest, "provider order must not matter"
    assert spec_digest(build_ir(ROOT / "specs")) == digest
    edited = [dataclasses.replace(irs[0], base_url="https://other.example"), *irs[1:]]
    assert spec_digest(edited) != digest
    assert spec_digest(irs[1:]) != digest


def test_generated_package_carries_this_release(irs: list[ProviderIR]) -> None:
    with using_version(recorded_version(ROOT / "generated", "imagerelay") or "0.1.0"):
        release = sdk_release(irs)
    init = (ROOT / "generated" / "imagerelay" / "__init__.py").read_text(encoding="utf-8")
    assert f'__version__ = "{release.version}"' in init
    assert f'SPEC_DIGEST = "{release.spec_digest}"' in init


def test_export_order_is_ruffs_isort_style() -> None:
    names = ["api_generate", "Image", "PROVIDERS", "RelayError", "SPEC_DIGEST", "APIStatusError"]
    assert sorted(names, key=export_order) == [
        "PROVIDERS", "SPEC_DIGEST", "APIStatusError", "Image", "RelayError", "api_generate",
    ]


def test_public_errors_are_the_runtime_exception_classes() -> None:
    names = runtime_error_names(ROOT / "templates")
    assert {"RelayError", "APIStatusError", "RateLimitError", "SizeLookupError", "WaitTimeoutError"} <= set(names)
    assert "ExchangeFacts" not in names, "a TypedDict is not an exception"
    assert list(names) == sorted(names)
