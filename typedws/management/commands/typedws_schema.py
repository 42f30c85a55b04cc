"""``manage.py typedws_schema``: print or write the API's AsyncAPI 3.0 document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from typedws.api import get_api
from typedws.schema.checks import check_document
from typedws.schema.export import json_schema_bundle, render


class Command(BaseCommand):
    help = "Print the API's AsyncAPI 3.0 document (or its JSON Schema bundle)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--api", help='Dotted path of the API (default: TYPEDWS["API"]).')
        parser.add_argument("--format", choices=["json", "yaml"], default="json")
        parser.add_argument("--file", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--json-schema",
            action="store_true",
            help="Print the plain JSON Schema bundle of every frame instead.",
        )
        parser.add_argument("--host", default="localhost:8000", help="The server's host:port.")
        parser.add_argument("--protocol", default="ws", choices=["ws", "wss"])
        parser.add_argument(
            "--validate",
            action="store_true",
            help="Run typedws's own checks of the document; problems fail the command.",
        )
        parser.add_argument(
            "--fail-on-warn", action="store_true", help="Fail if the document has warnings."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            api = get_api(options["api"])
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        document = api.document(host=options["host"], protocol=options["protocol"])
        for warning in document.warnings:
            self.stderr.write(f"Warning: {warning}")
        if options["validate"]:
            problems = check_document(document.asyncapi)
            for problem in problems:
                self.stderr.write(f"Error: {problem}")
            if problems:
                raise CommandError(f"The document has {len(problems)} problem(s).")
        if options["fail_on_warn"] and document.warnings:
            raise CommandError(f"The document has {len(document.warnings)} warning(s).")
        data = json_schema_bundle(document) if options["json_schema"] else document.asyncapi
        text = render(data, options["format"])
        if options["file"]:
            Path(options["file"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
