"""The conversation flow as data (dialogs/flow.yaml): steps, order, examples, re-ask limit."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bot.policy.loader import parse_model, read_yaml

FLOW_PATH = Path(__file__).resolve().parents[2] / "dialogs" / "flow.yaml"


class StepButton(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    value: str


class StepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ask: str
    field: str
    example: str
    buttons: list[StepButton] = []
    buttons_from: list[str] = []


class Flow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    order: list[str]
    max_reasks: int
    steps: dict[str, StepSpec]
    yes_words: list[str]
    no_words: list[str]

    def answer_yes_no(self, text: str) -> bool | None:
        cleaned = text.strip().strip("。.!！ ").lower()
        if cleaned in self.yes_words:
            return True
        if cleaned in self.no_words:
            return False
        return None


@cache
def load_flow(path: Path = FLOW_PATH) -> Flow:
    flow = parse_model(Flow, read_yaml(path), path)
    missing = [step for step in [*flow.order, "refine", "hukou", "fact"] if step not in flow.steps]
    if missing:
        raise ValueError(f"{path}: steps: no entry for {missing}")
    return flow
