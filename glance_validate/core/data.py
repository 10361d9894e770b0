"""The package's data files (``glance_validate/data/``): rules, schemas, profiles, deviations.

They are read as plain files beside the package. ``importlib.resources`` would also find them
inside a zip archive, but importing it (with tempfile, shutil and zipfile behind it) took about a
tenth of the instructions of a one-file check; pip installs the package as files.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIRECTORY = Path(__file__).resolve().parent.parent / "data"


def data_bytes(name: str) -> bytes:
    """The bytes of a data file, by its path under ``data/`` (``"schemas/ims.json"``)."""
    return DATA_DIRECTORY.joinpath(*name.split("/")).read_bytes()


def data_text(name: str) -> str:
    """A data file's UTF-8 text."""
    return data_bytes(name).decode("utf-8")
