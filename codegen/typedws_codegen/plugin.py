"""What a generator is: one language, one module of source from a contract.

A plugin reads only the :class:`~.contract.Contract` (the intermediate form, with every type
already named and classified) and returns the module's text. ``typedws-codegen`` picks it by
name from the table in :mod:`.cli`; adding a language is a module with a ``PLUGIN`` and a row
there.
"""

from __future__ import annotations

from typing import Protocol

from .contract import Contract

__all__ = ["Plugin"]


class Plugin(Protocol):
    #: The command's subcommand (``python``, ``typescript``).
    @property
    def name(self) -> str: ...

    #: One line for ``--help``.
    @property
    def description(self) -> str: ...

    def generate(self, contract: Contract) -> str:
        """The generated module's source: deterministic, formatted, ending with a newline."""
        ...
