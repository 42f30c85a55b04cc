"""``typedws-codegen``: one command per language, each from a document file or URL.

::

    typedws-codegen python asyncapi.json -o api_client.py
    typedws-codegen typescript http://localhost:8000/typedws/asyncapi.json -o src/api.ts
    typedws-codegen typescript asyncapi.json -o src/api.ts --check   # in CI: is it current?
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import python, typescript
from .contract import ContractError, load_contract
from .plugin import Plugin

__all__ = ["PLUGINS", "main"]

DESCRIPTION = (
    "Generate a typed client from a typedws AsyncAPI document (a file, JSON or YAML, or an "
    "http(s) URL such as http://localhost:8000/typedws/asyncapi.json). Reads only the document: "
    "Django is not needed. The output is deterministic and formatted."
)
#: The languages, by subcommand.
PLUGINS: dict[str, Plugin] = {plugin.name: plugin for plugin in (python.PLUGIN, typescript.PLUGIN)}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="typedws-codegen", description=DESCRIPTION)
    languages = parser.add_subparsers(dest="language", required=True, metavar="LANGUAGE")
    for language, plugin in PLUGINS.items():
        help_text = plugin.description
        sub = languages.add_parser(language, help=help_text, description=help_text)
        sub.add_argument("document", help="The AsyncAPI document: a path or an http(s) URL.")
        sub.add_argument(
            "-o", "--output", type=Path, help="The file to write (default: standard output)."
        )
        sub.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit 1 if --output differs from what would be generated.",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.check and args.output is None:
        parser.error("--check needs --output")
    try:
        code = PLUGINS[args.language].generate(load_contract(args.document))
    except ContractError as exc:
        print(f"typedws-codegen: {exc}", file=sys.stderr)
        return 2
    if args.output is None:
        sys.stdout.write(code)
        return 0
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != code:
            print(f"typedws-codegen: {args.output} is out of date.", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(code, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
