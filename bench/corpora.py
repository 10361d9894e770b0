"""The corpora: built once with make-corpus, kept under the cache directory, keyed by their recipe.

A corpus directory is named after its recipe and a digest of the make-corpus script, so a changed
generator or recipe builds a new corpus and an unchanged one is reused. A ``.complete`` marker is
written last: a run interrupted while generating never leaves a half corpus that looks whole.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench import flood

INVALID_RATE = 0.01
PER_PAGE = 25
# make-corpus writes about 1,065 bytes per image: 47,000 images make a 50 MB single payload.
BIG_IMAGES = 47_000
FLOOD_IMAGES = 150_000  # 19 warnings an image: 2.85 million findings


@dataclass(frozen=True)
class Recipe:
    """What to ask make-corpus for."""

    name: str
    kind: str  # pages | list | jsonl (from make-corpus) | flood (bench/flood.py)
    count: int  # files for pages, images (lines) otherwise
    invalid_rate: float = 0.0

    def argv(self, out: Path) -> list[str]:
        args = [self.kind, str(self.count)]
        if self.kind == "pages":
            args.append(str(PER_PAGE))
        args.append(str(out))
        if self.invalid_rate:
            args += ["--invalid-rate", str(self.invalid_rate)]
        return args

    @property
    def images(self) -> int:
        return self.count * PER_PAGE if self.kind == "pages" else self.count


RECIPES = {
    r.name: r
    for r in (
        Recipe("pages-valid", "pages", 2000),
        Recipe("pages-invalid", "pages", 2000, INVALID_RATE),
        Recipe("list-valid", "list", 1000),
        Recipe("list-invalid", "list", 1000, INVALID_RATE),
        Recipe("jsonl-valid", "jsonl", 100_000),
        Recipe("jsonl-invalid", "jsonl", 100_000, INVALID_RATE),
        Recipe("jsonl-10k", "jsonl", 10_000),
        Recipe("big-list", "list", BIG_IMAGES),
        Recipe("flood", "flood", FLOOD_IMAGES, 1.0),  # every image repeats a tag
        Recipe("flood-clean", "flood", FLOOD_IMAGES),
    )
}


@dataclass(frozen=True)
class Corpus:
    recipe: Recipe
    root: Path  # the directory holding the corpus

    @property
    def paths(self) -> list[Path]:
        """The payload files: every page in order, or the one list / JSON Lines file."""
        if self.recipe.kind == "pages":
            return sorted(self.root.glob("page_*.json"))
        return [self.root / self.filename]

    @property
    def findings(self) -> int:
        """The findings the corpus is built to hold, where known by construction (the flood)."""
        if self.recipe.kind == "flood" and self.recipe.invalid_rate:
            return self.recipe.count * flood.FINDINGS_PER_IMAGE
        return 0

    @property
    def filename(self) -> str:
        return f"{self.recipe.name}.jsonl" if self.recipe.kind == "jsonl" else f"{self.recipe.name}.json"

    @property
    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.paths)


def tool_digest(tool: Path) -> str:
    return hashlib.sha256(tool.read_bytes()).hexdigest()[:12]


def ensure(recipe: Recipe, tool: Path, cache: Path) -> Corpus:
    """The corpus for ``recipe``, generated with ``tool`` (or bench/flood.py) unless the cache holds it."""
    generator = Path(flood.__file__) if recipe.kind == "flood" else tool
    key = f"{recipe.name}-{recipe.kind}-{recipe.count}-{recipe.invalid_rate}-{tool_digest(generator)}"
    root = cache / "corpora" / key
    corpus = Corpus(recipe, root)
    if (root / ".complete").exists():
        return corpus
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    out = root if recipe.kind == "pages" else root / corpus.filename
    if recipe.kind == "flood":
        flood.write(out, recipe.count, repeated=bool(recipe.invalid_rate))
    else:
        subprocess.run([sys.executable, str(tool), *recipe.argv(out)], check=True)
    (root / ".complete").write_text("ok\n", encoding="ascii")
    return corpus
