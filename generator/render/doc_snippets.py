"""Runnable Python snippets for the docs, built from the spec's documented examples.

Each snippet is a whole program (imports, client, call, output) so a reader can
copy it and the test suite can execute it against the recorded fixtures. Which
shape a snippet takes (plain call, stream, submit-and-wait) is decided here; the
templates in ``templates/docs/snippets/`` only print it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

import jinja2

from generator.errors import RenderError
from generator.ir.nodes import EndpointIR, ExampleIR, ProviderIR
from generator.render.escape import Code, identifier, py_literal
from generator.render.format import format_python
from generator.render.output import PACKAGE, render

Shape = Literal["call", "stream", "wait"]


@dataclass(frozen=True)
class QuickStart:
    """One endpoint's first documented example, as a sync and an async program."""

    endpoint: EndpointIR
    example: ExampleIR
    sync_code: str
    async_code: str


@dataclass(frozen=True)
class ExampleSnippet:
    """A documented example as a sync program calling the endpoint's own method."""

    endpoint: str
    example: str
    code: str


@dataclass(frozen=True)
class ProviderSnippets:
    quick_starts: tuple[QuickStart, ...]
    examples: tuple[ExampleSnippet, ...]

    def example_code(self, endpoint: str, example: str) -> str:
        for snippet in self.examples:
            if (snippet.endpoint, snippet.example) == (endpoint, example):
                return snippet.code
        raise RenderError(f"no docs snippet for example {endpoint}/{example}")


def provider_snippets(env: jinja2.Environment, provider: ProviderIR) -> ProviderSnippets:
    quick_starts = tuple(
        QuickStart(
            endpoint=ep,
            example=ep.examples[0],
            sync_code=_snippet(env, provider, ep, ep.examples[0], _quick_shape(ep), "sync"),
            async_code=_snippet(env, provider, ep, ep.examples[0], _quick_shape(ep), "async"),
        )
        for ep in provider.endpoints
        if ep.examples
    )
    examples = tuple(
        ExampleSnippet(ep.name, example.name, _snippet(env, provider, ep, example, _plain_shape(ep), "sync"))
        for ep in provider.endpoints
        for example in ep.examples
    )
    return ProviderSnippets(quick_starts, examples)


def _plain_shape(ep: EndpointIR) -> Shape:
    return "stream" if ep.response_kind == "sse" else "call"


def _quick_shape(ep: EndpointIR) -> Shape:
    # A quick start waits for a submitted task; the endpoint reference shows the bare submit.
    return "wait" if ep.polling is not None and ep.response_kind == "json" else _plain_shape(ep)


def _snippet(
    env: jinja2.Environment,
    provider: ProviderIR,
    ep: EndpointIR,
    example: ExampleIR,
    shape: Shape,
    flavour: Literal["sync", "async"],
) -> str:
    args, imports = _call_arguments(ep, example)
    code = render(
        env,
        f"docs/snippets/{shape}_{flavour}.py.jinja",
        module=f"{PACKAGE}.{provider.id}",
        base_url=provider.base_url,
        method=f"{ep.name}_and_wait" if shape == "wait" else ep.name,
        args=args,
        imports=imports,
        images=_returns_images(provider, ep),
        steps=_wait_steps(ep),
    )
    return format_python(code, f"docs example {provider.id}/{ep.name}/{example.name}").rstrip()


def _wait_steps(ep: EndpointIR) -> str:
    """What ``<submit>_and_wait`` does, for the comment above the call."""
    if ep.polling is None:
        return ""
    if ep.polling.result_method is None:
        return f"Submits with {ep.name}, then polls {ep.polling.get_method} until the task is final."
    return f"Submits with {ep.name}, polls {ep.polling.get_method} until done, then fetches {ep.polling.result_method}."


def _call_arguments(ep: EndpointIR, example: ExampleIR) -> tuple[Code, tuple[Code, ...]]:
    """The example's keyword arguments, plus any required upload the example leaves out.

    ``ExampleIR.call_args`` carries the JSON/form fields only; a multipart file is
    given as a local ``Path`` so the program still runs.
    """
    args = [f"{identifier(name)}={py_literal(json.loads(value))}" for name, value in example.call_args]
    given = {name for name, _ in example.call_args}
    uploads = [
        param.param_name
        for param in ep.params
        if param.wire_name in ep.file_fields and param.required and param.param_name not in given
    ]
    args += [f"{identifier(name)}=Path({py_literal(name + '.png')})" for name in uploads]
    return Code(", ".join(args)), (Code("from pathlib import Path"),) if uploads else ()


def _returns_images(provider: ProviderIR, ep: EndpointIR) -> bool:
    """Whether the reply itself carries the images (a submitted task does not, yet)."""
    if ep.polling is not None:
        return False
    classes = {cls.name: cls for cls in provider.classes}
    return ep.requires_image or classes[ep.response_class].images is not None
