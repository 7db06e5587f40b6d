"""The hotline console: a web channel over the quote engine and the FAQ (`python -m bot web`).

`console_routes()` gives its routes to any Starlette app (the webhook app serves them on its own port);
`create_app()` serves them alone.
"""

from bot.web.app import console_routes, create_app

__all__ = ["console_routes", "create_app"]
