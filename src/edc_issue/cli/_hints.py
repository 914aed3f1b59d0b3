"""Library wording to command-line wording, in one table.

The library's messages and hints name Python parameters (an HTTP client or a Python
caller has no flags); the command line shows its own flags instead. Each library text
writes a parameter in exactly the form on the left.
"""

from __future__ import annotations

__all__ = ["FLAGS", "for_cli"]

#: Parameter as the library writes it → the flag that sets it.
FLAGS: dict[str, str] = {
    "controllers=[...]": "--controller FILE",
    "allow_network=True": "--allow-network",
    "status_lists=[...]": "--status-list FILE",
    "only_allocated=False": "--force",
    "require_status=True": "--require-status",
    "size=131072": "--size 131072",
    "challenge=...": "--challenge C",
    "check_data_model=False": "--no-data-model-check",
}


def for_cli(text: str) -> str:
    """Return *text* with each parameter named as the flag that sets it."""
    for parameter, flag in FLAGS.items():
        if parameter in text:
            text = text.replace(parameter, flag)
    return text
