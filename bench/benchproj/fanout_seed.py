"""Users for the fan-out benchmark's per-user configuration: ``--users`` of them, pks 1..N.

Run after ``benchproj.seed`` (which migrates), with ``DJANGO_SETTINGS_MODULE`` set to
``benchproj.fanout_settings``.
"""

import argparse
import os

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=500)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproj.fanout_settings")
    django.setup()

    from django.contrib.auth.models import User

    User.objects.bulk_create(User(username=f"user{n}") for n in range(1, args.users + 1))
    if User.objects.count() != args.users:
        raise SystemExit(f"expected {args.users} users")


if __name__ == "__main__":
    main()
