"""Through the real adapter: an update is handled once however often it arrives; in a group each member has
their own dialog and commands meant for another bot are ignored; a quick untick of a status is kept."""

from __future__ import annotations

import pytest
from conftest import Harness
from fake_bot_api import FakeBotApi

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

CHAT = 777
GROUP = -100123


async def test_the_same_update_twice_in_one_batch_is_handled_once(harness: Harness, api: FakeBotApi) -> None:
    await harness.start()
    for text in ("朔州", "今天", "1980-05-01"):
        await harness.say(CHAT, text)
    api.send_text(CHAT, "/back")
    api.repeat_last_update()
    await harness.settle(5)
    assert harness.store is not None
    state = harness.store.load(f"telegram:{CHAT}")
    assert state is not None and state.step == "birth", "one /back went back one step"
    assert state.payment_date is not None, "the payment date is kept"


async def test_group_members_have_their_own_dialogs(harness: Harness, api: FakeBotApi) -> None:
    await harness.start()
    await harness.act(GROUP, lambda: api.send_text(GROUP, "朔州", user_id=11))
    await harness.act(GROUP, lambda: api.send_text(GROUP, "今天", user_id=11))
    await harness.act(GROUP, lambda: api.send_text(GROUP, "1980-05-01", user_id=11))
    await harness.act(GROUP, lambda: api.send_text(GROUP, "出生日期改成1990年1月1日", user_id=12))
    assert harness.store is not None
    first = harness.store.load(f"telegram:{GROUP}:11")
    second = harness.store.load(f"telegram:{GROUP}:12")
    assert first is not None and str(first.birth) == "1980-05-01", "the second member did not change it"
    assert second is not None and second.region is None


async def test_a_command_for_another_bot_is_ignored(harness: Harness, api: FakeBotApi) -> None:
    await harness.start()
    await harness.act(GROUP, lambda: api.send_text(GROUP, "朔州", user_id=11))
    turn = await harness.act(GROUP, lambda: api.send_text(GROUP, "/start@otherbot", user_id=11))
    assert turn.sent == [] and turn.edited == []
    assert harness.store is not None
    state = harness.store.load(f"telegram:{GROUP}:11")
    assert state is not None and state.region == "朔州市", "/start@otherbot did not reset the dialog"
    turn = await harness.act(GROUP, lambda: api.send_text(GROUP, f"/restart@{api.bot_user['username']}", user_id=11))
    assert turn.sent, "a command addressed to this bot is answered"


async def test_a_quick_untick_of_a_status_is_kept(harness: Harness, api: FakeBotApi) -> None:
    await harness.start()
    for text in ("朔州", "今天", "1980-05-01"):
        await harness.say(CHAT, text)
    await harness.tap(CHAT, "低保对象")
    await harness.tap(CHAT, "低保对象")  # within the 3 s double-tap window: an untick, not a double tap
    assert harness.store is not None
    state = harness.store.load(f"telegram:{CHAT}")
    assert state is not None and state.selecting == []
    message_id, data = harness.find_button(CHAT, "低保对象")
    assert data.endswith(":on")
    for _ in range(2):  # a true double tap: both taps ask for "on"
        api.tap_button(CHAT, message_id, data=data, check_keyboard=False)
    await harness.settle(harness.adapter.stats.completed + 2)
    state = harness.store.load(f"telegram:{CHAT}")
    assert state is not None and state.selecting == ["dibao"]
