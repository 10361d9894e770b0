"""Hypothesis strategies for Glance payloads: valid records, and broken ones with their finding.

Needs the optional extra: ``pip install 'glance-validate[hypothesis]'`` (hypothesis is imported
when a strategy is built, not when this module is imported).

- :func:`images` and :func:`image_lists` draw realistic, consistent payloads for a schema (a
  builtin name, a schema file, a parsed schema or a compiled ``Dialect``): every one of them
  passes ``glance_validate.validate`` against that schema with no findings.
- :func:`invalid_images` and :func:`invalid_image_lists` draw :class:`Broken` values: a payload
  broken in one way, with the code and JSON Pointer of the one finding a validator must report.

Every decision is one hypothesis draw (an integer or a coin), so failing examples shrink to
small records: optional fields left out, short pages, the first value of each enum.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from glance_validate.generate import mutations, synthesis
from glance_validate.generate.model import ExtensionSet, model_for
from glance_validate.generate.mutations import Broken
from glance_validate.generate.regex_strings import Choices

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn, SearchStrategy

    from glance_validate.schema.dialect import Dialect
    from glance_validate.schema.documents import SchemaSpec

__all__ = ["Broken", "image_lists", "images", "invalid_image_lists", "invalid_images"]

_CHANCE_STEPS = 1000

_T = TypeVar("_T")


def images(
    schema: SchemaSpec | Dialect = "ims", *, extensions: ExtensionSet = "auto"
) -> SearchStrategy[dict[str, Any]]:
    """Valid single-image payloads (GET /v2/images/{id}) for ``schema``.

    ``extensions`` picks the extension properties drawn where the schema allows extra string
    properties: ``"openstack"`` (hw_*, img_* ...), ``"ims"`` (documented IMS ``__*`` values),
    ``"none"``, or ``"auto"`` (IMS ones for the ``ims`` schema, OpenStack ones otherwise).
    """
    _require_hypothesis()
    model = model_for(schema, extensions)
    return _drawn(lambda choices: synthesis.image(choices, model))


def image_lists(
    schema: SchemaSpec | Dialect = "ims",
    *,
    min_size: int = 0,
    max_size: int = 5,
    extensions: ExtensionSet = "auto",
) -> SearchStrategy[dict[str, Any]]:
    """Valid list pages (GET /v2/images) holding ``min_size`` to ``max_size`` images."""
    _require_hypothesis()
    model = model_for(schema, extensions)
    _check_sizes(min_size, max_size)
    return _drawn(lambda choices: synthesis.image_list(choices, model, min_size, max_size))


def invalid_images(
    schema: SchemaSpec | Dialect = "ims", *, extensions: ExtensionSet = "auto"
) -> SearchStrategy[Broken]:
    """Single-image payloads broken in one way, each with the one finding it must produce."""
    _require_hypothesis()
    model = model_for(schema, extensions)
    return _drawn(lambda choices: mutations.break_image(choices, model, synthesis.image(choices, model)))


def invalid_image_lists(
    schema: SchemaSpec | Dialect = "ims",
    *,
    min_size: int = 0,
    max_size: int = 5,
    extensions: ExtensionSet = "auto",
) -> SearchStrategy[Broken]:
    """List pages broken in one way (envelope or one image), each with the one finding it must produce."""
    _require_hypothesis()
    model = model_for(schema, extensions)
    _check_sizes(min_size, max_size)

    def broken_page(choices: Choices) -> Broken:
        page = synthesis.image_list(choices, model, min_size, max_size)
        return mutations.break_list(choices, model, page)

    return _drawn(broken_page)


def _drawn(make: Callable[[Choices], _T]) -> SearchStrategy[_T]:
    """A strategy whose values ``make`` builds, each of its decisions one hypothesis draw."""
    from hypothesis import strategies as st

    @st.composite
    def draw_value(draw: DrawFn) -> _T:
        return make(_Draws(draw))

    return draw_value()


class _Draws:
    """The generator's decisions as hypothesis draws (so that examples shrink)."""

    def __init__(self, draw: DrawFn) -> None:
        self._draw = draw

    def integer(self, low: int, high: int) -> int:
        value: int = self._draw(_integers(low, high))
        return value

    def chance(self, probability: float) -> bool:
        """True with about ``probability``; shrinks to False."""
        threshold = _CHANCE_STEPS - round(probability * _CHANCE_STEPS)
        return bool(self._draw(_integers(0, _CHANCE_STEPS - 1)) >= threshold)


@lru_cache(maxsize=512)
def _integers(low: int, high: int) -> SearchStrategy[int]:
    from hypothesis import strategies as st

    return st.integers(low, high)


def _check_sizes(min_size: int, max_size: int) -> None:
    if not 0 <= min_size <= max_size:
        raise ValueError(f"need 0 <= min_size <= max_size, got min_size={min_size}, max_size={max_size}")


def _require_hypothesis() -> None:
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        raise ImportError(
            "glance_validate.strategies needs hypothesis: pip install 'glance-validate[hypothesis]'"
        ) from None
