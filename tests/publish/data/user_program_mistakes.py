"""Mistakes a user can make; ``mypy --strict`` must report each line marked as an error.

Proves the typed-program check can fail: the SDK's annotations reject wrong argument
types, misspelled arguments and unknown exports. Model ids are open (``ModelId | str``:
relays add models without notice), so an unlisted id type-checks and warns at run time.
"""

from __future__ import annotations

import imagerelay
from imagerelay import api_generate, gemini_12ai


def mistakes() -> None:
    with api_generate.Client() as client:
        client.generate(model="nano-banana-9", prompt="x")  # not an error: model ids are open
        client.generate(model="nano-banana-2", prompt=42)  # error: prompt is a str
        client.generate(model="nano-banana-2", prompt="x", image_size="8K")  # error: not an ImageSize
        client.generate(model="nano-banana-2", promt="x")  # error: misspelled argument
    with gemini_12ai.Client() as client:
        client.generate_content(model="gemini-2.5-flash-image", contents="x")  # error: not a list of Content
    print(imagerelay.RelayEror)  # error: not an export
