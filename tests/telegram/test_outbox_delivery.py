"""The channel's side of the outbox (bot.dialog.outbox): replies are marked delivered once sent, and an
update whose replies were committed but never sent (the worker was killed) gets them when it comes again."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from test_webhook import PATH, SECRET, TODAY, serving, webhook_app
from webhook_telegram import WebhookTelegram

from bot.dialog.engine import DialogEngine
from bot.dialog.replies import Incoming
from bot.dialog.service import DialogService
from bot.dialog.store import SQLiteStore


def _update(update_id: int, chat: int, text: str) -> dict[str, object]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "x"}, "text": text}}


async def test_replies_committed_but_never_sent_go_out_when_the_update_comes_again(
    engine: DialogEngine, tmp_path: Path
) -> None:
    store = SQLiteStore(tmp_path / "state.sqlite3")
    service = DialogService(engine, store)
    # a worker that was killed after the commit: the turn is stored, its two replies never sent
    committed = service.handle("telegram:31", Incoming(text="朔州", update_id=40), TODAY, "html")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with WebhookTelegram() as api, serving(webhook_app(api, service)) as base, aiohttp.ClientSession() as http:
        async with http.post(f"{base}/{PATH}", json=_update(40, 31, "朔州"), headers=headers) as response:
            assert response.status == 200
        sent = [call.params["text"] for call in api.calls_to("sendMessage")]
        assert sent == [reply.text for reply in committed], "the saved replies, not the current question"
        outbox = store.load_outbox("telegram:31")
        assert outbox is not None and outbox.delivered and not outbox.replies, "marked, text dropped"
        # delivered and marked, then the update comes once more (killed before answering 200)
        async with http.post(f"{base}/{PATH}", json=_update(40, 31, "朔州"), headers=headers) as response:
            assert response.status == 200
        assert len(api.calls_to("sendMessage")) == len(committed), "nothing sent twice"
    state = store.load("telegram:31")
    assert state is not None and state.last_update_id == 40 and state.step == "payment_date"
    store.close()
