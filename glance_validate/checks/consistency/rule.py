"""An image rule as a value: what it reports, and the cheap test that spares clean records from it.

Each consistency rule for an image record is written once, as an ``ImageRule``: its codes, the
generator that reports its findings (``explain``) and a test that holds only where the generator
has nothing to report, so that on clean payloads the generator need not run. Where Draft 4 can say
it, that test is a fragment of an image schema (``accepts``): the quick check (``quickcheck``) is
assembled from the fragments and runs in jsonschema-rs, with the images schema, in one pass over a
page.

Draft 4 cannot say it for three rules, because it checks each value against constants written in
the schema and has no keyword relating two values of one instance ($data is not Draft 4): "self
ends with this record's id" (C001, C002), "updated_at is not before created_at" (C013),
"direct_url is one of the locations' urls" (C018). Those say so in ``unexpressed`` and their test
is Python over a whole page (``page_clean``: list comprehensions, no call per record). C017 has
neither test: what counts as drift depends on the schema in use, and it runs only where that schema
lets a non-string custom value through (``applies``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from glance_validate.checks.consistency.facts import Facts
from glance_validate.checks.extensions import ExtensionProfile
from glance_validate.core.findings import Finding

Image = dict[str, Any]
Fragment = dict[str, Any]
Explain = Callable[[Image, str, Facts], Iterable[Finding]]
Accepts = Callable[[ExtensionProfile], Fragment]
PageClean = Callable[[list[Image]], bool]


class ImageRule(NamedTuple):
    """One consistency rule for an image record.

    ``accepts`` builds a Draft 4 fragment for one image record (formats asserted) that holds
    only on records ``explain`` finds nothing in; ``exact`` when it also holds on all of them
    (else it is stricter, and the rule runs on a few more pages than it must, with the same
    findings). A rule without one says why in ``unexpressed`` and may have ``page_clean``, which
    holds only on pages of records ``explain`` finds nothing in. ``applies`` (when given) says
    whether the rule can find anything under the schema in use. (A NamedTuple: the rules are
    constants built at import, and it costs less start-up than a dataclass's generated methods.)
    """

    codes: tuple[str, ...]
    explain: Explain
    accepts: Accepts | None = None
    exact: bool = False
    unexpressed: str = ""
    page_clean: PageClean | None = None
    applies: Callable[[Facts], bool] | None = None


def fixed(fragment: Fragment) -> Accepts:
    """A fragment that does not depend on the extension profile."""
    return lambda _profile: fragment


def literal(text: str) -> str:
    """A pattern matching exactly ``text`` (and, as any pattern, every value that is not a string)."""
    return "^" + re.escape(text) + "$"


def when(status: str, then: Fragment) -> Fragment:
    """status == value implies ``then`` (Draft 4 has no if/then: not-A or B)."""
    condition = {"required": ["status"], "properties": {"status": {"enum": [status]}}}
    return {"anyOf": [{"not": condition}, then]}
