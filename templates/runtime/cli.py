"""``imagerelay`` (and ``python -m imagerelay``): the capability catalog and one-shot generation.

Keys come from each provider's environment variable and are never printed: a dry run
builds requests with a stand-in key, and every error is the SDK's own, redacted.

Exit codes: 0 done; 2 invalid request or usage; 3 no capable provider; 4 refused by
content policy; 5 provider or network error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .canonical import CanonicalRequest, Unsupported
from .errors import ContentPolicyError, InvalidRequestError, NoCapableProviderError, RelayError
from .progress import BatchProgress, CallProgress, printable
from .redact import MASK

__all__ = ["main"]

EXIT_INVALID, EXIT_NO_PROVIDER, EXIT_POLICY, EXIT_PROVIDER = 2, 3, 4, 5


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imagerelay", description="One interface across image relays.")
    commands = parser.add_subparsers(dest="command", required=True)
    models = commands.add_parser("models", help="the capability catalog, filtered")
    models.add_argument("--provider", action="append", help="only this provider (repeatable)")
    models.add_argument("--aspect-ratio")
    models.add_argument("--size", help="a tier (2K) or an exact size (1536x1024)")
    models.add_argument("--input-images", type=int, default=0, metavar="N")
    models.add_argument("--json", action="store_true")
    generate = commands.add_parser("generate", help="generate images and save them")
    generate.add_argument("prompt")
    generate.add_argument("--provider", action="append", help="a candidate, in order (repeatable)")
    generate.add_argument("--model")
    generate.add_argument("--aspect-ratio")
    generate.add_argument("--size")
    generate.add_argument("--image", action="append", type=Path, default=[], help="an input image (repeatable)")
    generate.add_argument("-n", type=int)
    generate.add_argument("--output-format")
    generate.add_argument("-o", "--output", type=Path, default=Path("."), help="folder for the images")
    generate.add_argument("--dry-run", action="store_true", help="print the request(s) it would send; send none")
    generate.add_argument("--json", action="store_true")
    mock = commands.add_parser("mock", help="serve a provider's mock relay (needs the mock extra)")
    mock.add_argument("provider")
    mock.add_argument("--host", default="127.0.0.1")
    mock.add_argument("--port", type=int, default=8765)
    mock.add_argument("--key", help="the only API key accepted (default: the mock's stand-in key); 'any' for any")
    mock.add_argument("--task-seconds", type=float, default=2.0, help="how long each task runs")
    mock.add_argument("--task-outcome", choices=("success", "failure", "violation", "never"), default="success")
    faults = mock.add_argument_group("faults", "shares of requests (0 to 1) that misbehave, for resilience tests")
    faults.add_argument("--rate-limit", type=float, default=0.0, metavar="SHARE", help="429 with Retry-After")
    faults.add_argument("--retry-after", type=float, default=1.0, metavar="SECONDS")
    faults.add_argument("--error-before-work", type=float, default=0.0, metavar="SHARE", help="503, nothing started")
    faults.add_argument("--error-after-work", type=float, default=0.0, metavar="SHARE", help="500 after the work")
    faults.add_argument("--refuse-content", type=float, default=0.0, metavar="SHARE", help="content-policy refusal")
    faults.add_argument("--delay", type=float, default=0.0, metavar="SECONDS", help="before each reply")
    faults.add_argument("--cut-streams", action="store_true", help="streams end before their last event")
    faults.add_argument("--seed", type=int, help="for a reproducible sequence of faults")
    batch = commands.add_parser("batch", help="one request per JSON line; resumable, never submits twice")
    batch.add_argument("file", type=Path)
    batch.add_argument("-o", "--output", type=Path, required=True, help="folder for the images and the journal")
    batch.add_argument("--concurrency", type=int, default=8)
    batch.add_argument("--poll-interval", type=float, default=2.0, help="seconds between task polls (grows x1.5)")
    batch.add_argument("--resubmit-uncertain", action="store_true",
                       help="send again items interrupted after sending (they may be billed twice)")
    return parser


def _modes(provider: str, model: str) -> list[str]:
    from .facade import canonical_of, endpoints

    modes = ["text_to_image"]
    found = endpoints(provider)
    if any(canonical_of(provider, endpoint.name).slot("input_images") for endpoint, _ in found):
        modes.append("edit")
    deliveries = {delivery for _, delivery in found}
    modes += [name for delivery, name in (("sse", "streaming"), ("polled", "async")) if delivery in deliveries]
    return modes


def _catalog(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every (provider, model) whose real request accepts the filters: the rows ``models`` lists."""
    from .facade import known_providers, plan, provider_config

    rows = []
    images = [b"\x89PNG\r\n\x1a\n"] * args.input_images  # stand-ins: only their count matters
    for provider in args.provider or known_providers():
        for model in provider_config(provider).model_ids:
            request = CanonicalRequest("a test prompt", model, args.aspect_ratio, args.size, tuple(images))
            plans, _ = plan(request, [provider])
            if plans:
                chosen = plans[0]
                rows.append({"provider": provider, "model": model, "endpoint": chosen.endpoint.name,
                             "modes": _modes(provider, model)})
    return rows


def _models(args: argparse.Namespace) -> int:
    rows = _catalog(args)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(f"{row['provider']:<14} {row['model']:<28} {row['endpoint']:<24} {', '.join(row['modes'])}")
    if not rows:
        print("no model matches", file=sys.stderr)
    return 0


def _request(args: argparse.Namespace) -> CanonicalRequest:
    return CanonicalRequest(args.prompt, args.model, args.aspect_ratio, args.size, tuple(args.image), args.n,
                            args.output_format)


def _shown(request: Any) -> dict[str, Any]:
    """A built request as the dry run prints it, with the stand-in key masked."""
    from .facade import DRY_RUN_KEY

    url = str(request.url).replace(DRY_RUN_KEY, MASK)
    headers = {name: (MASK if DRY_RUN_KEY in value else value) for name, value in request.headers.items()}
    body: Any = request.content.decode("utf-8", "replace")
    if "json" in request.headers.get("content-type", ""):
        body = json.loads(body)
    return {"method": request.method, "url": url, "headers": headers, "body": body}


def _dry_run(args: argparse.Namespace) -> int:
    from .facade import dry_run, plan

    plans, skipped = plan(_request(args), args.provider or None)
    shown = []
    for chosen in plans:
        _, built = dry_run(chosen.provider, chosen.endpoint, chosen.arguments)
        shown.append({"provider": chosen.provider, "model": chosen.model, "endpoint": chosen.endpoint.name,
                      "request": _shown(built)})
    report = {"would_send": shown, "skipped": [{"provider": a.provider, "reason": a.reason} for a in skipped]}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if plans else EXIT_NO_PROVIDER


def _generate(args: argparse.Namespace) -> int:
    from .facade import generate

    progress = CallProgress()
    try:
        result = generate(args.prompt, provider=args.provider or None, model=args.model,
                          aspect_ratio=args.aspect_ratio, size=args.size, images=args.image, n=args.n,
                          output_format=args.output_format, on_progress=progress.status)
        args.output.mkdir(parents=True, exist_ok=True)
        paths = result.save_images(args.output, on_progress=progress.download)
    finally:
        progress.end()
    if args.json:
        print(json.dumps({"provider": result.provider, "model": result.model, "request_id": result.request_id,
                          "images": [str(path) for path in paths]}, ensure_ascii=False, indent=2))
    else:
        for path in paths:
            print(path)
    return 0


def _batch(args: argparse.Namespace) -> int:
    import asyncio

    from .batch import read_requests, run_batch

    items = read_requests(args.file)
    progress = BatchProgress(len(items))
    try:
        summary = asyncio.run(run_batch(items, args.output, concurrency=args.concurrency,
                                        poll_interval=args.poll_interval, resubmit_uncertain=args.resubmit_uncertain,
                                        on_item=progress.item))
    finally:
        progress.end()
    print("state        items")
    for state, count in sorted(summary.counts.items()):
        print(f"{state:<12} {count}")
    for key, state, reason in summary.problems:
        print(printable(f"{key}: {state}: {reason}"), file=sys.stderr)
    return 0 if not summary.problems else EXIT_PROVIDER


def _mock(args: argparse.Namespace) -> int:
    try:
        from .mock_app import Faults, MockProvider
        from .mock_relay import DEFAULT_KEY, serve
    except ModuleNotFoundError as exc:  # starlette or uvicorn
        print(f"error: the mock relay needs the mock extra ({exc.name} is missing): "
              "pip install 'imagerelay[mock]'", file=sys.stderr)
        return EXIT_INVALID
    try:
        config = MockProvider(args.provider).config
        faults = Faults(rate_limit=args.rate_limit, retry_after=args.retry_after,
                        error_before_work=args.error_before_work, error_after_work=args.error_after_work,
                        refuse_content=args.refuse_content, delay=args.delay, cut_streams=args.cut_streams,
                        seed=args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    key = None if args.key == "any" else args.key or DEFAULT_KEY
    print(f"{args.provider} mock relay on http://{args.host}:{args.port} (Ctrl-C stops it); point a client at it:\n"
          f"  export {config.base_url_env}=http://{args.host}:{args.port}\n"
          f"  export {config.auth.env}={key or DEFAULT_KEY}", file=sys.stderr, flush=True)
    serve(args.provider, host=args.host, port=args.port, key=key, task_seconds=args.task_seconds,
          task_outcome=args.task_outcome, faults=faults)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "models":
            return _models(args)
        if args.command == "batch":
            return _batch(args)
        if args.command == "mock":
            return _mock(args)
        return _dry_run(args) if args.dry_run else _generate(args)
    except NoCapableProviderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NO_PROVIDER
    except (InvalidRequestError, Unsupported) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except ContentPolicyError as exc:
        print(f"refused by content policy: {exc}", file=sys.stderr)
        return EXIT_POLICY
    except RelayError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROVIDER

