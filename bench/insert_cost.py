"""What one ``Model.objects.create()`` costs in Django's ORM, against the same INSERT with its
SQL compiled once, and against the SQL alone: how much a compiled INSERT could save.

Each row inserts the bench's ``Question`` in its own ``atomic()`` (SQLite WAL, as ``run.py``'s
server), in alternating rounds:

- ``django``: ``Question.objects.create(question_text=...)``, as DRF's ``create()`` calls it;
- ``compiled``: ``Question(...).save(force_insert=True)`` with Django's ``_do_insert`` replaced,
  for that instance, by an INSERT whose SQL Django compiled once (the values still prepared by
  the compiler's own ``pre_save``/``prepare_value``, the reply read by its ``execute_sql``): a
  diagnostic, never a path typedws takes;
- ``sql``: the INSERT's SQL through a cursor, and the commit;
- ``atomic``: an empty ``atomic()`` block::

    .venv-bench/bin/python bench/insert_cost.py [--frames 3000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


def setup(db_path: Path) -> None:
    sys.path[:0] = [str(BENCH_DIR), str(BENCH_DIR.parent / "example")]
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchproj.settings"
    os.environ["BENCH_DB_PATH"] = str(db_path)
    os.environ.setdefault("BENCH_CONN_MAX_AGE", "none")
    os.environ.setdefault("BENCH_SQLITE", "wal")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def rows() -> dict[str, Callable[[], Any]]:
    from django.db import connection, connections, transaction
    from django.db.models.sql import InsertQuery
    from django.utils import timezone

    from polls.models import Question

    compiled: dict[Any, tuple[Any, str, tuple[Any, ...]]] = {}

    def insert(obj: Any, manager: Any, using: str, fields: Any, returning: Any, raw: Any) -> Any:
        key = (connections[using], tuple(fields), tuple(returning))
        if key not in compiled:
            query = InsertQuery(type(obj))
            query.insert_values(fields, [obj], raw=raw)
            compiler = query.get_compiler(using=using)
            compiler.returning_fields = returning
            [(sql, _)] = compiler.as_sql()
            compiled[key] = (compiler, sql, tuple(compiler.returning_params))
        compiler, sql, extra = compiled[key]
        values = tuple(compiler.prepare_value(f, compiler.pre_save_val(f, obj)) for f in fields)
        compiler.query.objs = [obj]
        compiler.as_sql = lambda: [(sql, values + extra)]
        return compiler.execute_sql(returning)

    def django_create() -> None:
        with transaction.atomic():
            Question.objects.create(question_text="x")

    def compiled_create() -> None:
        with transaction.atomic():
            question = Question(question_text="x")
            question._do_insert = functools.partial(insert, question)  # type: ignore[method-assign]
            try:
                question.save(force_insert=True, using="default")
            finally:
                del question.__dict__["_do_insert"]

    sql = (
        'INSERT INTO "polls_question" ("question_text", "pub_date") VALUES (%s, %s) '
        'RETURNING "polls_question"."id"'
    )

    def sql_only() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, ["x", timezone.now().isoformat()])
            cursor.fetchone()

    def empty() -> None:
        with transaction.atomic():
            pass

    return {"django": django_create, "compiled": compiled_create, "sql": sql_only, "atomic": empty}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(Path(tmp) / "db.sqlite3")
        steps = rows()
        samples: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(args.rounds):
            for name, step in steps.items():
                start = time.perf_counter()
                for _ in range(args.frames):
                    step()
                samples[name].append((time.perf_counter() - start) / args.frames * 1e6)
    for name, values in samples.items():
        low, high = min(values), max(values)
        print(f"{name:>9}: {statistics.median(values):6.1f} us/insert ({low:.1f}..{high:.1f})")


if __name__ == "__main__":
    main()
