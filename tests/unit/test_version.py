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
from generator.render.package_meta import (
    export_order,
    runtime_error_names,
    sdk_release,
    sdk_version,
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


def test_sdk_version_is_a_public_pep440_release_of_the_generator_version() -> None:
    version = sdk_version("0.1.0", "79a2f1cf5be4")
    assert version == f"0.1.0.{0x79A2F1CF}"
    parsed = Version(version)
    assert str(parsed) == version, "not in PEP 440 normal form"
    assert parsed.local is None and not parsed.is_prerelease and not parsed.is_devrelease
    assert parsed.release[:3] == (0, 1, 0)
    assert Version("0.1.0") < parsed < Version("0.1.1")


def test_sdk_version_refuses_a_generator_version_it_cannot_extend() -> None:
    with pytest.raises(RenderError, match="not MAJOR.MINOR.PATCH"):
        sdk_version("0.1.0rc1", "79a2f1cf5be4")


def test_spec_digest_is_stable_and_moves_with_the_specs(irs: list[ProviderIR]) -> None:
    digest = spec_digest(irs)
    assert re.fullmatch(r"[0-9a-f]{12}", digest)
    assert spec_digest(list(reversed(irs))) == digest, "provider order must not matter"
    assert spec_digest(build_ir(ROOT / "specs")) == digest
    edited = [dataclasses.replace(irs[0], base_url="https://other.example"), *irs[1:]]
    assert spec_digest(edited) != digest
    assert spec_digest(irs[1:]) != digest


def test_generated_package_carries_this_release(irs: list[ProviderIR]) -> None:
    release = sdk_release(irs)
    init = (ROOT / "generated" / "imagerelay" / "__init__.py").read_text(encoding="utf-8")
    assert f'__version__ = "{release.version}"' in init
    assert f'SPEC_DIGEST = "{release.spec_digest}"' in init
    assert release.version.startswith(f"{GENERATOR_VERSION}.")


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
