"""prelayout lays code out as black does, so black stops after one pass.

Each case is checked against black itself: the laid-out text must be exactly what
black makes of it (black's fixed point), and black's result must not depend on
whether prelayout ran first.
"""

from __future__ import annotations

import textwrap

import black
import pytest

from generator.render.format import _BLACK_MODE
from generator.render.prelayout import prelayout

CASES = {
    "quotes": """x = 'a'\ny = 'it\\'s'\nz = 'say "hi"'\n""",
    "long call": (
        "value = some_function(first_argument_name, second_argument_name, third_argument, fourth_one)\n"
        "result = some_function(first_argument_name, second_argument_name, third_argument, fourth_one, fifth)\n"
    ),
    "literal tuple": "IDS: Final[tuple[str, ...]] = ('nano-banana', 'nano-banana-fast', 'nano-banana-pro', 'nano-banana-pro-vt', 'gpt-image-2')\n",
    "subscript": "ModelId = Literal['nano-banana', 'nano-banana-fast', 'nano-banana-pro', 'nano-banana-pro-vt', 'gpt-image-2']\n",
    "nested calls": textwrap.dedent(
        """\
        RULES = (
            OneOf(field='aspectRatio', values=('auto', '1:1', '16:9', '9:16', '4:3'), pixel=None, when=When(field='model', values=frozenset(('nano-banana', 'nano-banana-fast', 'nano-banana-pro', 'nano-banana-pro-vt')), patterns=(), label="model family 'nano-banana'"), note=''),
        )
        """
    ),
    "annotated field": textwrap.dedent(
        """\
        class Body(RelayModel):
            '''Body of a request.'''
            model: Annotated[Literal['a-very-long-model-name', 'another-long-model-name', 'a-third-model'], Field(description='模型名称 / model id')]
            images: Annotated[list[str] | None, Field(description='参考图，支持base64与url链接 / reference images as base64 or URLs.')] = None
            role: Annotated[Literal['user', 'model'] | None, Field(description='角色 / role (model) of the turn')] = None
            size: Annotated[Literal['square_hd', 'square', 'portrait_4_3', 'portrait_16_9', 'landscape_4_3'] | ImageSize | None, Field(description='Size.')] = None
        """
    ),
    "wide characters": "x = call(description='参考图，支持base64与url链接 / 参考图，支持base64与url链接 / 参考图，支持', other=1)\n",
    "unary and keywords": "value = build(offset=-1, scale=+2, items=[-3, 4], flag=not_set, name='a' 'b', rest=dict(a=1, b=2, c=3))\n",
    "with statement": "with client.chat_completions_stream(model='NanoBananaPro-1K', messages=[{'role': 'user', 'content': 'a cute cat'}]) as stream:\n    pass\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_laid_out_code_is_black_fixed_point(name: str) -> None:
    source = CASES[name]
    laid_out = prelayout(source)
    formatted = black.format_str(laid_out, mode=_BLACK_MODE)
    assert laid_out == formatted
    assert formatted == black.format_str(source, mode=_BLACK_MODE)


@pytest.mark.parametrize(
    "source",
    [
        "x = (\n",  # does not tokenize: black reports it, prelayout leaves it alone
        "def f(:\n    pass\n",
    ],
)
def test_source_that_does_not_parse_is_returned_as_is(source: str) -> None:
    assert prelayout(source) == source


def test_long_strings_comments_and_docstrings_are_left_alone() -> None:
    long_text = "word " * 30
    source = (
        f'"""{long_text}\n{long_text}"""\n'
        f"x = f(a, b)  # {long_text}\n"
        f"y = '{long_text}'\n"
    )
    laid_out = prelayout(source)
    assert laid_out.splitlines()[:3] == source.splitlines()[:3]
    assert laid_out.splitlines()[3] == f'y = "{long_text}"'


def test_def_lines_are_not_split() -> None:
    # Signatures have their own black rules (spaces around annotated defaults): templates lay them out.
    source = "def f(self, first_argument: int = 1, second_argument: str = 'x', third_argument: float = 2.5, more: int = 0): ...\n"
    assert prelayout(source) == source.replace("'x'", '"x"')


def test_a_prelayout_mistake_never_reaches_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.render.format as format_module

    monkeypatch.setattr(format_module, "prelayout", lambda source: source + "def broken(:\n")
    assert format_module._format("x = f( 'a' )\n", "m.py") == 'x = f("a")\n'


def test_rendered_code_that_is_not_python_is_a_located_render_error() -> None:
    from generator.errors import RenderError
    from generator.render.format import _format

    with pytest.raises(RenderError, match=r"^pkg/m\.py: rendered code is not valid Python"):
        _format("x = f('a'\n", "pkg/m.py")
