"""Importing a provider stays cheap (bench figure 5): httpx, the SSE reader and the
pydantic validators load when first needed, and everything still works after that.

Each check runs in a fresh interpreter, since this process has long imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GENERATED = Path(__file__).resolve().parents[2] / "generated"
PROVIDERS = sorted(
    p.name for p in (GENERATED / "imagerelay").iterdir() if (p / "catalog.py").exists()
)
# Loaded on first use, never by ``from imagerelay.<provider> import Client``.
DEFERRED = ("httpx", "anyio", "email.utils")


def _fresh(code: str) -> dict[str, object]:
    """Run ``code`` in a new interpreter; it prints one JSON value, returned here."""
    env = {**os.environ, "PYTHONPATH": str(GENERATED)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("provider", PROVIDERS)
def test_importing_a_provider_loads_neither_httpx_nor_validators(provider: str) -> None:
    found = _fresh(
        f"""
import json, sys
from imagerelay.{provider} import AsyncClient, Client, models
built = sorted(
    name for name, cls in vars(models).items()
    if isinstance(cls, type) and getattr(cls, "__pydantic_complete__", False)
)
print(json.dumps({{"loaded": [m for m in {DEFERRED!r} if m in sys.modules], "built": built}}))
"""
    )
    assert found == {"loaded": [], "built": []}


def test_a_call_after_a_lazy_import_validates_and_sends() -> None:
    found = _fresh(
        """
import json, sys
from imagerelay.api_generate import Client
from imagerelay.errors import InvalidRequestError

before = "httpx" in sys.modules
import httpx

def reply(request):
    return httpx.Response(200, json={"id": "t1", "status": "succeeded",
                                     "results": [{"url": "https://cdn.test/a.png"}]})

with Client("sk-lazy-test", base_url="https://relay.test", transport=httpx.MockTransport(reply)) as client:
    try:
        client.generate(model="nano-banana", prompt="p", aspect_ratio="1:8")
        refused = None
    except InvalidRequestError as exc:
        refused = str(exc)
    task = client.generate(model="nano-banana", prompt="p", aspect_ratio="16:9")
print(json.dumps({"before": before, "refused": refused, "url": task.images()[0].url}))
"""
    )
    assert found["before"] is False
    assert "aspectRatio='1:8' is not allowed" in str(found["refused"])
    assert found["url"] == "https://cdn.test/a.png"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_models_load_with_the_first_call_and_then_cost_nothing_per_call(provider: str) -> None:
    found = _fresh(
        f"""
import json, sys, types
from imagerelay.{provider} import Client
import imagerelay.{provider}.client as client_module

prefix = "imagerelay.{provider}."
at_import = sorted(name for name in ("models", "params", "bases") if prefix + name in sys.modules)
stand_in = type(vars(client_module)["models"]).__name__
# What the first call does: read a model class through the client module's global.
request = client_module.models.__name__
print(json.dumps({{
    "at_import": at_import,
    "stand_in": stand_in,
    "loaded": prefix + "models" in sys.modules,
    "replaced": isinstance(vars(client_module)["models"], types.ModuleType),
    "package_attribute": __import__("imagerelay.{provider}", fromlist=["models"]).models.__name__,
    "params": __import__("imagerelay.{provider}.params", fromlist=["x"]).__name__,
}}))
"""
    )
    assert found == {
        "at_import": [],
        "stand_in": "LazyModule",
        "loaded": True,
        "replaced": True,
        "package_attribute": f"imagerelay.{provider}.models",
        "params": f"imagerelay.{provider}.params",
    }
