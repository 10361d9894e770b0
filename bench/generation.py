"""Generation speed of the test-data generators: realistic image records per second.

    python bench/generation.py [--records N]

Measures, for each builtin schema, records generated per second by the seeded generator behind
``glance-validate fuzz`` and by the hypothesis strategies (``image_lists`` through ``@given``,
generation phase only, no database), and the same for broken pages. Median of three runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from glance_validate.generate import mutations, synthesis
from glance_validate.generate.model import RandomChoices, model_for
from glance_validate.schema.sources import builtin_names

RUNS = 3


def seeded(schema: str, records: int, broken: bool) -> float:
    model = model_for(schema)
    choices = RandomChoices(1)
    made = 0
    started = time.perf_counter()
    while made < records:
        page = synthesis.image_list(choices, model, 0, 5)
        made += len(page["images"])
        if broken:
            mutations.break_list(choices, model, page)
    return made / (time.perf_counter() - started)


def through_hypothesis(schema: str, records: int, broken: bool) -> float:
    from hypothesis import HealthCheck, Phase, given, settings

    from glance_validate.strategies import image_lists, invalid_image_lists

    strategy = invalid_image_lists(schema, max_size=5) if broken else image_lists(schema, max_size=5)
    made = [0]

    @settings(
        max_examples=max(1, records // 2),
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(value: object) -> None:
        page = value.payload if broken else value  # type: ignore[attr-defined]
        images = page.get("images") if isinstance(page, dict) else None
        made[0] += len(images) if isinstance(images, list) else 0

    started = time.perf_counter()
    draw()
    return made[0] / (time.perf_counter() - started)


def median(measure: Callable[[str, int, bool], float], schema: str, records: int, broken: bool) -> float:
    return statistics.median(measure(schema, records, broken) for _ in range(RUNS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2000, help="records per measurement")
    args = parser.parse_args()
    print(f"{'schema':8} {'pages':7} {'seeded rec/s':>13} {'hypothesis rec/s':>17}")
    for schema in builtin_names():
        for broken in (False, True):
            fast = median(seeded, schema, args.records, broken)
            drawn = median(through_hypothesis, schema, args.records, broken)
            print(f"{schema:8} {'broken' if broken else 'valid':7} {fast:13,.0f} {drawn:17,.0f}")


if __name__ == "__main__":
    main()
