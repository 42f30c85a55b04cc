"""The client guides' code blocks as modules a type checker can read: the wrapping rule.

A guide's snippets are fragments: they ``await`` at the top level and use names the prose
around them provides (``api``, ``question``, ``done``, ``showBanner``). Each block becomes one
module of its own:

1. its leading imports stay at the top of the module (a block imports what it uses);
2. the rest becomes the body of ``async def snippet(...)`` (Python) or ``export async function
   snippet(...)`` (TypeScript, inside an inner ``{ }`` so the block may declare a name the prose
   also provides), whose parameters declare, with their types, exactly the names of
   :data:`PYTHON_PROSE` or :data:`TYPESCRIPT_PROSE`, typed from the generated module
   (``api_client`` in Python, ``./api.js`` in TypeScript);
3. a TypeScript block that starts with ``interface`` (``SubscriptionHandle``) is checked
   against the type of the same name that ``typedws-client`` exports: each is assigned to the
   other, so a property missing, added or of another type on either side fails.

Shell blocks are not modules. ``module_name`` ties a module back to the block's line.
"""

from __future__ import annotations

import ast
import re
import textwrap

from tests.readme import REPO_ROOT, Block, code_blocks

__all__ = [
    "PYTHON_PROSE",
    "TYPESCRIPT_PROSE",
    "guide_blocks",
    "module_name",
    "python_module",
    "typescript_module",
]

DOCS = REPO_ROOT / "docs"
PYTHON_PROSE = "api: _api.ApiClient, question: _api.Question, done: bool"
TYPESCRIPT_PROSE = "api: $api.Api, showBanner: (message: string) => void, hideBanner: () => void"
_INTERFACE = re.compile(r"^interface (\w+)(<[^>]*>)?", re.MULTILINE)
_TS_IMPORT = re.compile(r"^import [^;]*;[^\n]*\n", re.MULTILINE)


def guide_blocks(page: str, lang: str) -> list[Block]:
    """The ``lang`` blocks of ``docs/<page>``, in order."""
    return [block for block in code_blocks(DOCS / page) if block.lang == lang]


def module_name(block: Block) -> str:
    """The module a block becomes: named after the line its fence starts on."""
    return f"snippet_line_{block.line}"


def python_module(block: Block) -> str:
    """Rule 1 and 2 for a Python block."""
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree = compile(block.text, module_name(block), "exec", flags=flags, dont_inherit=True)
    end = 0
    for node in tree.body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            break
        end = node.end_lineno or end
    lines = block.text.splitlines()
    imports, body = "\n".join(lines[:end]), "\n".join(lines[end:])
    return (
        f"import api_client as _api\n{imports}\n\n\n"
        f"async def snippet({PYTHON_PROSE}) -> None:\n{textwrap.indent(body, '    ')}\n"
    )


def typescript_module(block: Block) -> str:
    """Rule 1 and 2 for a TypeScript block, or rule 3 for one that declares interfaces."""
    if block.text.startswith("interface "):
        return _interface_module(block.text, _INTERFACE.findall(block.text))
    imports = "".join(_TS_IMPORT.findall(block.text))
    body = _TS_IMPORT.sub("", block.text)
    return (
        f'import type * as $api from "./api.js";\n{imports}\n'
        f"export async function snippet({TYPESCRIPT_PROSE}): Promise<void> {{\n"
        f"  {{\n{textwrap.indent(body, '    ')}  }}\n}}\n"
    )


def _interface_module(text: str, interfaces: list[tuple[str, str]]) -> str:
    """The names the declarations use come from ``typedws-client``; a generic parameter is
    bound to a type of its own, so that ``Promise<Ack>`` is not ``Promise<unknown>``."""
    lines = [
        'import type * as $runtime from "typedws-client";',
        'import type { RequestId } from "typedws-client";',
        "type Marker = { readonly marker: true };",
        text,
    ]
    for name, generics in interfaces:
        args = "<Marker>" if generics else ""
        lines += [
            f"declare const documented{name}: {name}{args};",
            f"declare const exported{name}: $runtime.{name}{args};",
            f"export const documentedIsExported{name}: $runtime.{name}{args} = documented{name};",
            f"export const exportedIsDocumented{name}: {name}{args} = exported{name};",
        ]
    return "\n".join(lines) + "\n"
