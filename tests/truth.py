"""Independent checks of what a walkthrough says: every number a sentence states about the model's
predictions is recomputed here from the fit itself (patsy's design of the case, statsmodels' ``predict``),
without the engine's own ``meaning`` code, and every worked sum is added up as a reader would.

Each checker returns how many statements it verified, so tests can insist that the checks ran.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import patsy

from bot.regression.datasets import Dataset
from bot.regression.meaning import Meaning
from bot.regression.model import FittedModel
from bot.regression.steps import Step

NUM = r"[−-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"


def value(text: str) -> float:
    """A number as the bot writes it."""
    return float(text.replace("−", "-").replace(",", ""))


def tolerance(text: str) -> float:
    """Half a unit in the last digit shown."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10**-decimals + 1e-9


def plain(body: str) -> str:
    """A body without markdown emphasis."""
    return body.replace("**", "").replace("*", "").replace("`", "")


class Truth:
    """Recomputes predictions of one fitted model at cases read from the text."""

    def __init__(self, dataset: Dataset, model: FittedModel, meaning: Meaning) -> None:
        self.dataset, self.model, self.meaning = dataset, model, meaning
        self.typical = dict(meaning.typical)
        self.counts: Counter[str] = Counter()
        self.log = meaning.scale.kind == "log"

    # -- the independent prediction

    def predict(self, case: dict) -> float:
        """statsmodels' prediction for one case built with patsy from the dataset's own column types."""
        columns = {}
        for name in self.model.predictors():
            raw = case.get(name, self.typical[name])
            info = self.dataset.column(name)
            if info.kind == "categorical":
                columns[name] = pd.Categorical([str(raw)], categories=list(info.levels))
            else:
                columns[name] = [float(raw)]
        frame = pd.DataFrame(columns, index=[0])
        if not self.model.predictors():
            return float(self.model.results.params.iloc[0])
        (exog,) = patsy.build_design_matrices([self.model.design_info], frame)
        return float(self.model.results.predict(np.asarray(exog))[0])

    def slope(self, name: str, case: dict) -> float:
        """The prediction's slope in ``name`` by a central difference."""
        variable = self.meaning.variable(name)
        step = (variable.maximum - variable.minimum) * 1e-5
        x = float(case.get(name, self.typical[name]))
        return (self.predict({**case, name: x + step}) - self.predict({**case, name: x - step})) / (2 * step)

    # -- reading the text

    def case(self, text: str) -> dict:
        """``completed = 31 and lesson = Lesson A`` as a dict (numbers for numeric columns)."""
        out = {}
        for piece in re.split(r", | and ", text.strip()):
            if " = " not in piece:
                continue
            name, raw = piece.split(" = ", 1)
            name = name.strip()
            if name not in self.model.predictors():
                continue
            numeric = self.dataset.column(name).kind == "numeric" and self.model.categorical(name) is None
            out[name] = value(raw) if numeric else raw.strip()
        return out

    def group_of(self, *levels: str) -> str | None:
        """The categorical predictor with all these levels."""
        for variable in self.meaning.variables:
            if variable.categorical and all(level in variable.levels for level in levels):
                return variable.name
        return None

    def shown(self, prediction: float) -> float:
        """A prediction as the text shows a compared value (back on the response's scale for a log)."""
        return math.exp(prediction) if self.log else prediction

    def near(self, text: str, expected: float, what: str, scale: float = 1.0) -> None:
        """Assert that a shown number matches the recomputed one."""
        assert abs(value(text) - expected) <= tolerance(text) * scale + 1e-6 * abs(expected), (
            f"{what}: the text says {text}, the model gives {expected}"
        )

    # -- checkers

    def check(self, steps: Iterable[Step]) -> Counter[str]:
        """Run every checker on every step."""
        for step in steps:
            body = plain(step.body)
            self.pairs(body)
            self.from_to(body)
            self.slopes(body)
            self.gaps(body)
            self.intercept(body)
            self.typical_prediction(body)
            self.level_values(body)
            self.grouped_gaps(body)
            self.sums(step.body)
        return self.counts

    def pairs(self, body: str) -> None:
        """``(at completed = 31: 60.33 for Lesson A, 47.14 for Lesson B)``."""
        pattern = rf"\((?:at (?P<case>[^:()]+): )?(?P<p1>{NUM}) for (?P<a>[^,()]+?), (?P<p2>{NUM}) for (?P<b>[^()]+?)\)"
        for match in re.finditer(pattern, body):
            group = self.group_of(match["a"], match["b"])
            if group is None:
                continue
            case = self.case(match["case"] or "")
            self.near(match["p1"], self.shown(self.predict({**case, group: match["a"]})), match[0])
            self.near(match["p2"], self.shown(self.predict({**case, group: match["b"]})), match[0])
            self.counts["pairs"] += 1

    def from_to(self, body: str) -> None:
        """``from completed = 31 to 32 (with lesson = Lesson A): 60.331 → 61.685``."""
        pattern = rf"from (?P<x>[\w.]+) = (?P<a>{NUM}) to (?P<b>{NUM})(?: \(with (?P<case>[^)]*)\))?: (?P<p1>{NUM}) → (?P<p2>{NUM})"
        for match in re.finditer(pattern, body):
            case = self.case(match["case"] or "")
            x = match["x"]
            self.near(match["p1"], self.shown(self.predict({**case, x: value(match["a"])})), match[0])
            self.near(match["p2"], self.shown(self.predict({**case, x: value(match["b"])})), match[0])
            self.counts["from-to"] += 1

    def slopes(self, body: str) -> None:
        """``math1's slope is 0.041 at port1 = 5, 0.088 at port1 = 10`` (and ``1.27 for Lesson A``)."""
        for match in re.finditer(r"(?P<x>[\w.]+)'s slope is (?P<list>.+?)(?=\.(?:\s|$)|;|:)", body):
            x = match["x"]
            if x not in self.model.predictors():
                continue
            at_name = None
            for item in re.split(r", | and ", match["list"]):
                found = re.match(
                    rf"\s*(?P<s>{NUM}) (?:at (?:(?P<m>[\w.]+) = )?(?P<v>{NUM})|for (?P<level>.+))", item
                )
                if found is None:
                    continue
                if found["level"]:
                    group = self.group_of(found["level"].strip())
                    if group is None:
                        continue
                    case = {group: found["level"].strip()}
                else:
                    at_name = found["m"] or at_name
                    if at_name is None:
                        continue
                    case = {at_name: value(found["v"])}
                slope = self.slope(x, case)
                self.near(found["s"], slope, f"{x}'s slope at {case}: {match[0]}")
                self.counts["slopes"] += 1

    def gaps(self, body: str) -> None:
        """``for Lesson B is 14.90 points lower at completed = 20, 13.30 points lower at 30 … than for Lesson A``."""
        pattern = r"for (?P<level>[^,.]+?) is (?P<list>(?:(?!\. ).)*? (?:lower|higher) at (?:(?!\. ).)*?) than for (?P<versus>[^.]+?)\.(?:\s|$)"
        for match in re.finditer(pattern, body):
            group = self.group_of(match["level"], match["versus"])
            if group is None:
                continue
            name = None
            items = re.sub(r" \([^)]*\)", "", match["list"])
            for piece in re.split(rf"(?:, |,? and )(?={NUM} )", items):
                item = re.match(
                    rf"(?P<d>{NUM}) .*?(?P<dir>lower|higher) at (?:(?P<m>[\w.]+) = )?(?P<v>{NUM})$",
                    piece.strip(),
                )
                if item is None:
                    continue
                name = item["m"] or name
                if name is None:
                    continue
                case = {name: value(item["v"])}
                gap = self.predict({**case, group: match["level"]}) - self.predict(
                    {**case, group: match["versus"]}
                )
                if self.log:
                    continue
                self.near(item["d"], abs(gap), match[0])
                assert (item["dir"] == "lower") == (gap < 0) or abs(gap) < tolerance(item["d"]), match[0]
                self.counts["gaps"] += 1

    def intercept(self, body: str) -> None:
        """``b₀ = 18.34 (intercept) is the predicted … for Lesson A (the baseline) at completed = 0``."""
        match = re.search(
            rf"b₀ = (?P<b>{NUM}) \(intercept\) is the predicted (?P<rest>[^\n]*?)\. ", body + " "
        )
        if match is None or self.model.intercept is None:
            return
        rest = match["rest"]
        case = self.case(" and ".join(re.findall(r"[\w.]+ = " + NUM, rest)))
        for level in re.findall(r"for ([^(,]+?) \(the baseline\)", rest):
            level = level.split(" = ")[-1]
            group = self.group_of(level.strip())
            if group is not None:
                case[group] = level.strip()
        self.near(match["b"], self.predict(case), match[0])
        self.counts["intercept"] += 1

    def typical_prediction(self, body: str) -> None:
        """``For a typical student (lesson = Lesson A and completed = 31) the prediction is 60.33``."""
        for match in re.finditer(
            rf"For a typical [^(]+\((?P<case>[^)]+)\) the prediction is (?P<p>{NUM})", body
        ):
            self.near(match["p"], self.predict(self.case(match["case"])), match[0])
            self.counts["typical"] += 1

    def level_values(self, body: str) -> None:
        """``b₁ = 59.22 (…) is the mean score of Lesson A``: a level's own prediction."""
        for match in re.finditer(
            rf"b\S+ = (?P<b>{NUM}) \([^)]*\) is the mean \S+ of (?P<level>[^:]+):", body
        ):
            group = self.group_of(match["level"])
            if group is not None:
                self.near(match["b"], self.predict({group: match["level"]}), match[0])
                self.counts["level values"] += 1

    def grouped_gaps(self, body: str) -> None:
        """``differs from American Steel's by: Atlantic Refining −94.02 (b₁), …``."""
        pattern = rf"differs from (?P<versus>[^']+)'s by: (?P<list>.+?)(?: \(at (?P<case>[^,]+(?:, [^,]+)*?), [^(]*'s prediction is (?P<p>{NUM})\))?\. These"
        for match in re.finditer(pattern, body):
            case = self.case(match["case"] or "")
            versus = match["versus"].split(" = ")[-1]
            for item in re.finditer(r"(?P<level>[^,()]+?) (?P<d>[+−]\d[\d,]*(?:\.\d+)?) \(b", match["list"]):
                level = item["level"].strip().removeprefix(", ").split(" = ")[-1]
                group = self.group_of(level, versus)
                if group is None:
                    continue
                gap = self.predict({**case, group: level}) - self.predict({**case, group: versus})
                self.near(item["d"].replace("+", ""), self.shown(gap) if not self.log else gap, item[0])
                self.counts["grouped gaps"] += 1
            if match["p"]:
                group = self.group_of(versus)
                self.near(match["p"], self.predict({**case, group: versus}), match[0])

    def sums(self, body: str) -> None:
        """Every worked sum in a code block adds up as shown, or says so and gives digits that do."""
        for block in re.findall(r"```\n(.*?)\n```", body, re.DOTALL):
            lines = block.split("\n")
            for index, line in enumerate(lines):
                if not re.fullmatch(
                    rf"{NUM}(?: [+−] {NUM}(?: × \(?{NUM}\)?)?| × \(?{NUM}\)?)* = {NUM}", line.strip()
                ):
                    continue
                expression, total = line.strip().rsplit(" = ", 1)
                if evaluate(expression, total) != Decimal(total.replace("−", "-").replace(",", "")):
                    following = lines[index + 1] if index + 1 < len(lines) else ""
                    found = re.fullmatch(
                        rf"\(unrounded: (?P<e>.+) = (?P<t>{NUM}); the rounded numbers give (?P<r>{NUM})\)",
                        following,
                    )
                    assert found is not None, f"{line!r} does not add up and says nothing"
                    assert found["t"] == total
                    assert evaluate(found["e"], total) == Decimal(total.replace("−", "-").replace(",", ""))
                    assert evaluate(expression, found["r"]) == Decimal(
                        found["r"].replace("−", "-").replace(",", "")
                    )
                self.counts["sums"] += 1


def sum_exact(expression: str) -> Decimal:
    """``a + b × c − d`` added up exactly with the numbers shown."""
    total = Decimal(0)
    for sign, term in re.findall(rf"(^|[+−] )({NUM}(?: × \(?{NUM}\)?)?)", expression):
        factors = [Decimal(f.strip("()").replace("−", "-").replace(",", "")) for f in term.split(" × ")]
        product = factors[0] * (factors[1] if len(factors) > 1 else 1)
        total += -product if sign.startswith("−") else product
    return total


def evaluate(expression: str, total: str) -> Decimal:
    """The exact sum rounded to as many decimals as ``total`` shows."""
    decimals = len(total.split(".")[1]) if "." in total else 0
    return sum_exact(expression).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
