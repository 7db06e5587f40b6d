"""``python -m bot migrate``: create or upgrade the conversation store's schema, explicitly, once per deploy."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

EXIT_FAILED = 1
EXIT_CONFIG = 2


def run(args: argparse.Namespace) -> int:
    from bot.dialog.factory import state_path, store_url

    try:
        url = args.store or store_url(os.environ)
        if url is not None and args.store:
            url = store_url({"BOT_STORE": url})
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    if url is None:
        from bot.dialog.store import SQLiteStore

        path = state_path(None)
        SQLiteStore(path).close()  # SQLite's one table is created on open; there is nothing to upgrade
        print(f"SQLite store {path}: ready (BOT_STORE is not set; set it to a postgresql:// URL for several workers)")
        return 0

    from bot.dialog.pgstore import StoreError, describe_dsn, migrate

    try:
        before, after = asyncio.run(migrate(url))
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    where = describe_dsn(url)
    if before == after:
        print(f"{where}: schema already at version {after}; nothing to do")
    else:
        print(f"{where}: schema migrated from version {before} to {after}")
    return 0
