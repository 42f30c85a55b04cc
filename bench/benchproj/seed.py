"""Create the benchmark database: migrate, then insert ``--rows`` questions with pks 1..rows.

Run as ``python -m benchproj.seed --rows 1000`` with ``BENCH_DB_PATH`` set (``bench/run.py``
does this in a fresh temporary directory).
"""

import argparse
import os
from datetime import UTC, datetime, timedelta

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproj.settings")
    django.setup()

    from django.core.management import call_command

    from polls.models import Question

    call_command("migrate", verbosity=0, interactive=False)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    Question.objects.bulk_create(
        Question(question_text=f"Question number {n}?", pub_date=start + timedelta(minutes=n))
        for n in range(1, args.rows + 1)
    )
    pks = list(Question.objects.values_list("pk", flat=True))
    if pks != list(range(1, args.rows + 1)):
        raise SystemExit(f"expected pks 1..{args.rows}, got {len(pks)} rows")


if __name__ == "__main__":
    main()
