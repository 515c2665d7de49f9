"""Hypothesis strategies for hostile input: ids, JSON-ish values, names, content, header values.

Everything Python lets a caller pass: any code point (surrogates and control characters
included), path syntax, ~1 MB strings, 10,000-level nesting, NaN and infinities, non-string
keys, bytes, sets and arbitrary objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from chimekit_async import ChannelContent, EmailContent, InAppContent, TemplateContent

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

HUGE = 1_000_000
DEEP = 10_000


def weighted(*choices: tuple[int, SearchStrategy[Any]]) -> SearchStrategy[Any]:
    """One of ``choices`` with these relative weights.

    ``st.one_of`` flattens nested ``one_of``s and picks among all their branches, so a
    strategy with many small branches (``junk``) would crowd out the rest.
    """
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(table).flatmap(lambda strategy: strategy)


class Opaque:
    """An object no JSON encoder knows."""

    def __repr__(self) -> str:
        return "Opaque()"


class NestedDict(dict[str, Any]):
    """The outermost level of a deep structure, with a short repr.

    Hypothesis (and repr) would recurse through every level to show a failing example.
    """

    depth = 0

    def __repr__(self) -> str:
        return f"<dict nested {self.depth} levels deep>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


class NestedList(list[Any]):
    """The outermost level of a deep list, with a short repr."""

    depth = 0

    def __repr__(self) -> str:
        return f"<list nested {self.depth} levels deep>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def nested_dicts(depth: int) -> dict[str, Any]:
    """``{"k": {"k": ... "leaf"}}``, ``depth`` levels deep."""
    value: Any = "leaf"
    for _ in range(depth - 1):
        value = {"k": value}
    outer = NestedDict(k=value)
    outer.depth = depth
    return outer


def nested_lists(depth: int) -> list[Any]:
    """``[[[...]]]``, ``depth`` levels deep."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    outer = NestedList([value])
    outer.depth = depth
    return outer


def circular() -> dict[str, Any]:
    """A dict that contains itself."""
    value: dict[str, Any] = {"name": "loop"}
    value["self"] = value
    return value


any_char = st.characters(codec=None, categories=None, exclude_categories=())
"""Every code point, surrogates (Cs) and control characters (Cc) included."""

FRAGMENTS = [
    "/", "//", ".", "..", "../..", "?", "?a=1", "#", "#x", "%", "%2F", "%2E%2E", "%00", " ",
    "\\", "\x00", "\r\n", "\t", "\x7f", "\u202e", "\ufeff", "\ud800", "\udfff", "😀", "é",
    "ﬁ", "\u0130", "members", "sdk", "v1", "_emulator", "user_1",
]  # fmt: skip

tricky_text = st.lists(
    weighted(
        (2, st.text(alphabet=any_char, min_size=1, max_size=8)), (1, st.sampled_from(FRAGMENTS))
    ),
    min_size=1,
    max_size=6,
).map("".join)
"""Short non-empty strings of arbitrary code points and path or header syntax."""

huge_text = st.sampled_from(["x", "é", "/", "%", "😀", "\x00"]).map(lambda char: char * HUGE)
"""A million characters of one kind (1 to 4 MB as UTF-8)."""

text = weighted((8, tricky_text), (1, huge_text), (1, st.just("")))
"""Any string: mostly short and tricky, now and then huge or empty."""

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.binary(max_size=8),
    st.builds(bytearray, st.binary(max_size=8)),
    st.sets(st.integers(), max_size=3),
    st.frozensets(st.text(max_size=3), max_size=3),
    st.tuples(st.integers()),
    st.lists(st.integers(), max_size=2),
    st.just(Opaque()),
    st.just(object()),
    st.just(Ellipsis),
    st.just(1j),
)
"""Values that are neither strings nor JSON objects."""

ids = text
"""What a caller might pass as an id (non-strings: ``junk``)."""

scalars = weighted(
    (2, st.one_of(st.none(), st.booleans(), st.integers())),
    (2, st.floats()),  # NaN and the infinities included
    (5, text),
    (1, junk),
)

keys = weighted(
    (6, tricky_text),
    (1, st.one_of(st.integers(), st.floats(), st.none(), st.booleans(), st.tuples(st.integers()))),
)

json_like = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.tuples(children),
        st.dictionaries(keys, children, max_size=3),
    ),
    max_leaves=8,
)
"""JSON and things that look like it: NaN, non-string keys, bytes, sets, objects."""

deep = st.one_of(
    st.builds(nested_dicts, st.just(DEEP)),
    st.builds(nested_lists, st.just(DEEP)),
    st.builds(nested_dicts, st.integers(1, 200)),
    st.builds(circular),
)
"""Deep (10,000 levels), moderately deep, and circular structures."""

attributes = weighted(
    (5, st.dictionaries(tricky_text, json_like, max_size=4)),
    (2, st.dictionaries(keys, json_like, max_size=4)),
    (2, st.builds(lambda value: {"deep": value}, deep)),
    (1, st.one_of(deep, json_like, junk)),
)
"""What a caller might pass as ``attributes`` or ``context``."""

display_names = text
"""What a caller might pass as ``display_name`` (non-strings: ``junk``)."""

optional_text = weighted((2, st.none()), (6, text), (1, junk))

in_app = weighted(
    (
        6,
        st.builds(
            InAppContent,
            title=weighted((8, text), (1, junk)),
            snippet=optional_text,
            body=optional_text,
            actions=weighted(
                (4, st.none()), (2, st.lists(attributes, max_size=2)), (1, st.one_of(junk, text))
            ),
        ),
    ),
    (3, st.dictionaries(st.sampled_from(["title", "snippet", "body", "actions"]), json_like)),
    (1, st.one_of(junk, text)),
)

email = weighted(
    (3, st.builds(EmailContent, subject=weighted((8, text), (1, junk)), body=optional_text)),
    (1, st.dictionaries(st.sampled_from(["subject", "body", "html"]), json_like)),
)

variables = weighted((2, st.none()), (3, attributes))

contents = weighted(
    (3, st.builds(ChannelContent, in_app=in_app, variables=variables)),
    (2, st.builds(ChannelContent, email=email, variables=variables)),
    (1, st.builds(ChannelContent, in_app=in_app, email=email)),
    (
        3,
        st.builds(
            TemplateContent,
            template_id=weighted((8, ids), (1, junk)),
            template_version_id=optional_text,
            variables=variables,
        ),
    ),
    (
        3,
        st.dictionaries(
            st.sampled_from(["templateId", "in_app", "email", "variables", "templateVersionId"]),
            st.one_of(json_like, attributes, in_app),
        ),
    ),
    (1, st.one_of(st.builds(ChannelContent), text, junk)),  # no channel; not content at all
)
"""What a caller might pass as message ``content``."""

visible = st.characters(min_codepoint=0x21, max_codepoint=0x7E)

header_values = weighted(
    (3, tricky_text),
    (3, st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)),
    (1, junk),
)
"""What a caller might pass as a header value."""

line_breaking = st.tuples(
    st.text(alphabet=visible, min_size=1, max_size=10),
    st.sampled_from(["\r", "\n", "\r\n", "\r\nX-Injected: 1", "\n\n", "\x00"]),
    st.text(alphabet=visible, max_size=10),
).map("".join)
"""Non-blank header values that would split or forge a header (CR, LF or NUL inside)."""
