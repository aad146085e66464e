"""A user's program against the generated SDK; it must pass ``mypy --strict`` as written.

Only type-checked, never run: every call would need a live relay. ``assert_type``
pins the return types, so a method that returned ``Any`` would fail the check.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import assert_type

import imagerelay
from imagerelay import api_generate, chat_stream, gemini_12ai, gemini_jobs, image_tasks
from imagerelay.errors import RateLimitError, RelayError


def generate_with_api_generate(directory: Path) -> list[Path]:
    with api_generate.Client(api_key="sk-test", timeout=30.0, max_retries=1) as client:
        result = client.generate(model="nano-banana-2", prompt="x", aspect_ratio="16:9", image_size="2K")
        assert_type(result, api_generate.models.TaskResult)
        task = client.submit_and_wait(model="gpt-image-2", prompt="x")
        assert_type(task, api_generate.models.TaskResult)
        return client.save_images(result, directory)


def stream_chat(prompt: str) -> list[str]:
    message = chat_stream.models.ChatMessage(role="user", content=prompt)
    options = chat_stream.models.ExtraBody(
        google=chat_stream.models.GoogleOptions(image_config=chat_stream.models.ImageConfig(aspect_ratio="1:1"))
    )
    with chat_stream.Client() as client, client.chat_completions_stream(
        model="NanoBananaPro-1K", messages=[message], relay_extra_body=options
    ) as stream:
        chunks = list(stream)
        assert_type(chunks, list[chat_stream.models.ChatCompletionChunk])
        return [image.url for image in stream.images() if image.url is not None]


def gemini_content(text: str) -> gemini_12ai.models.GenerateContentResponse:
    content = gemini_12ai.models.Content(parts=[gemini_12ai.models.Part(text=text)])
    with gemini_12ai.Client(base_url="https://relay.test") as client:
        return client.generate_content(model="gemini-2.5-flash-image", contents=[content])


def gemini_job(prompt: str) -> str:
    with gemini_jobs.Client() as client:
        job = client.create_job_and_wait(model="nano-banana-pro", input=gemini_jobs.models.JobInput(prompt=prompt))
        assert_type(job, gemini_jobs.models.Job)
        return job.model_dump_json()


async def image_task(prompt: str) -> image_tasks.models.ImageTask:
    async with image_tasks.AsyncClient() as client:
        task = await client.create_task(model="NanoBanana2-0.5K", prompt=prompt, task_type="text2image", n=1)
        return await client.wait(task.task_id, poll_interval=1.0)


def main() -> int:
    assert_type(imagerelay.__version__, str)
    assert_type(imagerelay.PROVIDERS, tuple[str, ...])
    try:
        generate_with_api_generate(Path("out"))
        stream_chat("a cat")
        gemini_content("a cat")
        gemini_job("a cat")
        asyncio.run(image_task("a cat"))
    except RateLimitError as error:
        assert_type(error.status, int)
        return 2
    except imagerelay.RelayError as error:
        assert_type(error, RelayError)
        return 1
    return 0
