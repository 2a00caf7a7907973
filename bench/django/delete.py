"""Django's side of the benchmark: one delete of `a` row 1 through Django's ORM, measured as the
Rust methods are, printed as the line `deletable-bench` reads.

Run by `deletable-bench` in a child process, with the virtual environment it sets up:

    python delete.py sqlite|postgres stock|receiver TARGET

TARGET is the SQLite file or the PostgreSQL URL the benchmark prepared (the same tables and
data as every other method: `a` <- `b` (`data`, JSON of about 4 KB) <- `c`, plain foreign keys).
`stock` is `A.objects.filter(id=1).delete()`; `receiver` connects a `pre_delete` receiver to
`B`, which takes Django off its fast path: it loads every `b` row whole and sends the signal
for each.

The line: seconds, statements, peak RSS in kB (the kernel's VmHWM, as for the Rust methods),
rows deleted from a, b and c, the longest writing transaction and the longest read-only one in
seconds (Django's delete is one transaction: its whole time, and 0).
"""

import sys
import time
from urllib.parse import urlparse

import django
from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import pre_delete


def configure(backend, target):
    if backend == "sqlite":
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": target,
            # The pragmas of the Rust methods' connections (WAL is kept in the file); Python's
            # SQLite is built with SECURE_DELETE on, which overwrites every deleted row: off,
            # as in the SQLite the Rust methods bundle.
            # A transaction takes the write lock when it begins, as the Rust methods' do: one
            # that reads first cannot write once the concurrent writer has committed.
            "OPTIONS": {
                "init_command": "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                "PRAGMA busy_timeout = 600000; PRAGMA secure_delete = OFF;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    else:
        url = urlparse(target)
        database = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": url.path.lstrip("/"),
            "USER": url.username or "",
            "PASSWORD": url.password or "",
            "HOST": url.hostname or "",
            "PORT": str(url.port or 5432),
            # The schema `deletable-bench` fills.
            "OPTIONS": {"options": "-c search_path=deletable_bench"},
        }
    settings.configure(
        DATABASES={"default": database},
        INSTALLED_APPS=["benchapp"],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()


configure(sys.argv[1], sys.argv[3])


from benchapp.models import A, B, C  # noqa: E402 (after settings)


SEEN = [0]


def see_row(sender, instance, **kwargs):
    """What the Rust hook does with each row: reads it whole."""
    SEEN[0] += len(instance.data)


def peak_rss_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def rows():
    # The concurrent writer's rows (ids from 100,000,000) are not the delete's.
    return (
        A.objects.count()
        + B.objects.filter(id__lt=100_000_000).count()
        + C.objects.count()
    )


def main():
    method = sys.argv[2]
    if method == "receiver":
        pre_delete.connect(see_row, sender=B)
    before = rows()
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        with transaction.atomic():
            A.objects.filter(id=1).delete()
        seconds = time.perf_counter() - started
    peak = peak_rss_kb()
    deleted = before - rows()
    print(f"{seconds} {statements[0]} {peak} {deleted} {seconds} 0")


main()
