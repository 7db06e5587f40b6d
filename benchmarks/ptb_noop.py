"""The baseline bot of ``load_bench.py --noop``: PTB with a no-op handler, polling, in a process of its own.

PTB as its documentation sets it up (``telegram_bench.noop_application``: ``ApplicationBuilder`` defaults,
httpx, PTB's own concurrent updates), with handlers that only send the fixed messages the residents wait
for.  Settings from the environment: ``BOT_TOKEN``, ``BOT_API_BASE_URL``, ``BOT_FLOOD_LIMIT`` (messages
per second; 0 or unset: no limiter).  Stops on SIGTERM.

    .venv/bin/python benchmarks/ptb_noop.py
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from telegram_bench import noop_application


def main() -> None:
    warnings.filterwarnings("ignore", message=".*retry_after.*")
    flood_limit = float(os.environ.get("BOT_FLOOD_LIMIT") or 0) or None
    app = noop_application(os.environ["BOT_TOKEN"], os.environ["BOT_API_BASE_URL"], flood_limit)
    app.run_polling(poll_interval=0.0, timeout=10, drop_pending_updates=False)


if __name__ == "__main__":
    main()
