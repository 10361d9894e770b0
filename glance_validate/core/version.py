"""The name and version of glance-validate (the build reads the version, --version shows it)."""

__version__ = "0.1.0"
TOOL_NAME = "glance-validate"  # how the reports name the tool
