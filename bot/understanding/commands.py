"""Commands said in Chinese (重新开始, 上一步, 帮助, 转人工, 删除我的信息) as the slash command they stand for.

Only a message that is nothing but the command counts: "返回上一步" is a command, "上一步填错了出生日期" is not."""

from __future__ import annotations

import re

_COMMANDS: dict[str, tuple[str, ...]] = {
    "/restart": ("重新开始", "重新来", "重来", "从头开始", "从新开始", "重新填", "重新填写", "再来一次", "从头来"),
    "/back": ("返回上一步", "回到上一步", "退回上一步", "上一步", "返回", "退回", "后退", "回退", "撤销"),
    "/help": ("帮助", "怎么用", "使用说明", "菜单", "求助", "help"),
    "/human": ("转人工", "人工", "人工客服", "人工服务", "找人工", "真人", "客服", "找客服", "转客服", "人工电话",
               "打电话问谁", "找谁问"),
    "/forget": ("删除我的信息", "删除信息", "删掉我的信息", "清除我的信息", "删除我的资料", "删除资料", "删除数据",
                "删除我的数据", "清除信息", "删掉我的资料"),
}
_WORD_TO_COMMAND = {word: command for command, words in _COMMANDS.items() for word in words}
_POLITE = re.compile(r"^(?:请|麻烦|帮我|给我|我要|我想|要|想)+|(?:吧|了|一下|呗|啊|呀)+$")
_PUNCTUATION = re.compile(r"[\s,.!?;:，。！？；：、~～]+")


_FORGET = re.compile(r"^(?:删除|删掉|清除|清空|删了)(?:我的|我|掉)?(?:个人)?(?:信息|资料|数据|资讯|记录|聊天记录)$")


def read_command(text: str) -> str | None:
    """The slash command a whole message stands for, or None."""
    cleaned = _POLITE.sub("", _PUNCTUATION.sub("", text)).replace("壹", "一")
    if _FORGET.match(cleaned):
        return "/forget"
    return _WORD_TO_COMMAND.get(cleaned)
