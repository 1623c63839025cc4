"""What a quiz question is, and the misconceptions students' progress is counted by: light values that the
bot process reads, stores as JSON and sends, without statsmodels or matplotlib.

``bot.regression.quiz`` makes the questions from a fitted model; the store keeps each posted question
whole, so answering, the results and the review never need the model again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

#: The kinds of question ``/quiz`` asks, with the words shown in its choice menu.
KINDS: dict[str, str] = {
    "predict": "Predict ŷ for a stated case",
    "lines": "Which line belongs to which group",
    "sentence": "Which sentence is right",
    "baseline": "What the baseline is",
    "slope_change": "What happens to a slope when a predictor is added",
}

#: The misconceptions progress is counted by, in the order ``/progress`` lists them.
MISCONCEPTIONS: dict[str, str] = {
    "baseline": "The baseline of a group difference",
    "holding": "Holding the others fixed",
    "causal": "Causal language",
    "intercept": "The intercept",
    "indicator_mean": "An indicator read as a group's mean",
    "curves": "Curves and interactions (slopes at values)",
    "arithmetic": "Predictions: signs and arithmetic",
}

#: The misconception a failed interpretation check shows, by checker rule and mark (a "wrong" baseline line
#: reads the indicator as the group's own value; a "warn" one leaves out what it is compared with).
RULE_MISCONCEPTIONS: dict[tuple[str, str], str] = {
    ("baseline", "wrong"): "indicator_mean",
    ("baseline", "warn"): "baseline",
    ("holding", "wrong"): "holding",
    ("holding", "warn"): "holding",
    ("where", "wrong"): "curves",
    ("where", "warn"): "curves",
    ("intercept", "wrong"): "intercept",
    ("intercept", "warn"): "intercept",
    ("causal", "wrong"): "causal",
    ("causal", "warn"): "causal",
    ("number", "wrong"): "arithmetic",
    ("direction", "wrong"): "arithmetic",
}

#: Each checker rule's misconception when its line passes (a pass counts as one done right).
RULE_TOPICS: dict[str, str] = {
    "baseline": "baseline",
    "holding": "holding",
    "where": "curves",
    "intercept": "intercept",
    "causal": "causal",
    "number": "arithmetic",
    "direction": "arithmetic",
}

LETTERS = "ABCD"


def check_outcomes(lines: Iterable[tuple[str, str]]) -> tuple[tuple[str, bool], ...]:
    """An interpretation check's lines, ``(rule, mark)`` each, as ``(misconception, passed)`` for the
    lines whose rule tests one."""
    outcomes: list[tuple[str, bool]] = []
    for rule, mark in lines:
        topic = RULE_TOPICS.get(rule) if mark == "ok" else RULE_MISCONCEPTIONS.get((rule, mark))
        if topic is not None:
            outcomes.append((topic, mark == "ok"))
    return tuple(outcomes)


@dataclass(frozen=True)
class Option:
    """One answer: its text, whether it is right, the worked reason shown to whoever picks it, and for a
    wrong one the misconception it plants."""

    text: str
    correct: bool
    why: str
    misconception: str | None = None


@dataclass(frozen=True)
class Question:
    """One multiple-choice question about one fitted model (exactly one of four options is right)."""

    kind: str
    topic: str
    dataset: str
    formula: str
    prompt: str
    options: tuple[Option, ...]
    explanation: str

    def __post_init__(self) -> None:
        if len(self.options) != len(LETTERS) or sum(o.correct for o in self.options) != 1:
            raise ValueError(f"a question needs four options, one of them right: {self.options}")

    @property
    def answer(self) -> int:
        """The position of the right option."""
        return next(i for i, option in enumerate(self.options) if option.correct)

    def options_text(self) -> str:
        """``**A.** …``, one line per option."""
        return "\n".join(f"**{LETTERS[i]}.** {option.text}" for i, option in enumerate(self.options))

    def verdict(self, choice: int) -> tuple[str, str]:
        """The title and the worked reason for someone who chose option ``choice``."""
        chosen, right = self.options[choice], self.answer
        if chosen.correct:
            return f"✅ Right: {LETTERS[choice]}", f"> {chosen.text}\n\n{chosen.why}"
        body = (
            f"You chose **{LETTERS[choice]}**: {chosen.text}\n\n{chosen.why}\n\n"
            f"The right answer is **{LETTERS[right]}**: {self.options[right].text}\n\n{self.options[right].why}"
        )
        return f"❌ Not quite: the answer is {LETTERS[right]}", body

    def to_json(self) -> str:
        """The question as JSON, for the store."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Question:
        """The question ``to_json`` wrote."""
        raw: dict[str, Any] = json.loads(text)
        options = tuple(Option(**option) for option in raw.pop("options"))
        return cls(**raw, options=options)
