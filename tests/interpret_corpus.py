"""Students' one-sentence readings of a coefficient, each with the marks a careful instructor would give.

Every case names a model, a term and a sentence, and the mark each rule must give (``ok``, ``warn`` or
``wrong``). A rule a case does not list must not flag the sentence (no ``warn`` or ``wrong``): the corpus
holds right readings in many wordings, so that a rule that fires on a right sentence is caught, and wrong
readings in each way the rules know (the number of another coefficient, the sign, per what, holding the
others fixed, at which values, the baseline, the intercept, causal wording).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One sentence about one coefficient of ``formula`` fitted on ``dataset``, and the marks it deserves."""

    dataset: str
    formula: str
    term: str
    sentence: str
    expected: dict[str, str] = field(default_factory=dict)

    @property
    def model(self) -> tuple[str, str]:
        """The dataset and formula."""
        return self.dataset, self.formula


LECTURE = ("codecademy", "score ~ lesson + completed")
PENGUINS = ("penguins", "bill_depth_mm ~ bill_length_mm + species")
INTERACTION = ("codecademy", "score ~ lesson * completed")
GRADES = ("students", "port3 ~ math1 * port1")
ELASTICITY = ("grunfeld", "np.log(invest) ~ np.log(value)")
LOG_SCORE = ("codecademy", "log(score) ~ completed + lesson")
CURVE = ("codecademy", "score ~ completed + I(completed**2)")
CELLS = ("codecademy", "score ~ lesson + completed - 1")
SIMPLE = ("codecademy", "score ~ completed")
# The gap between Gentoo and Adelie changes sign inside the data (lower at 190 mm, higher at 200 and 210).
CROSSING = ("penguins", "body_mass_g ~ flipper_length_mm * species")

OK_SLOPE = {"number": "ok", "direction": "ok", "unit": "ok", "names": "ok", "holding": "ok"}
OK_GAP = {"number": "ok", "direction": "ok", "names": "ok", "holding": "ok", "baseline": "ok"}


def _case(model: tuple[str, str], term: str, sentence: str, **marks: str) -> Case:
    """A case on ``model``."""
    return Case(model[0], model[1], term, sentence, marks)


def _slope(model: tuple[str, str], term: str, sentence: str, **marks: str) -> Case:
    """A case on an additive slope: every rule ok unless ``marks`` says otherwise."""
    return Case(model[0], model[1], term, sentence, {**OK_SLOPE, **marks})


def _gap(model: tuple[str, str], term: str, sentence: str, **marks: str) -> Case:
    """A case on an additive group difference: every rule ok unless ``marks`` says otherwise."""
    return Case(model[0], model[1], term, sentence, {**OK_GAP, **marks})


B = "lesson[T.Lesson B]"
CHINSTRAP, GENTOO = "species[T.Chinstrap]", "species[T.Gentoo]"

CASES: tuple[Case, ...] = (
    # --- the lecture: score ~ lesson + completed ---------------------------------------------------------
    _slope(
        LECTURE,
        "completed",
        "Among students who took the same lesson, one more completed item goes with a 1.35-point higher "
        "predicted quiz score.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, each additional completed item is associated with a score about 1.4 points higher.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Controlling for lesson, students who completed one more item scored 1.35 points more on average.",
    ),
    _slope(LECTURE, "completed", "Controlling for lesson, score rises by 1.35 points per completed item."),
    _slope(
        LECTURE,
        "completed",
        "For students in the same lesson, the score is 1.35 points higher for each additional item completed, "
        "on average.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, for every additional completed item the predicted score goes up by about 1.4 points.",
    ),
    _slope(
        LECTURE,
        "completed",
        "With lesson held constant, every extra item completed goes with a score higher by 1.35.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, one more completed item does not decrease the score; it goes with a 1.35-point "
        "increase.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Controlling for lesson, an additional completed item predicts a 1.35 point higher score.",
    ),
    _slope(
        LECTURE,
        "completed",
        "In this model a one-item increase in completed goes with 1.35 more points, holding lesson fixed.",
    ),
    _slope(
        LECTURE, "completed", "Holding lesson fixed, the score goes up 1.35 points with each completed item."
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, one more completed item goes with 1.35 more points, though this does not mean "
        "that completing items causes higher scores.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Within each lesson, students with one more completed item score 1.35 points higher on average.",
    ),
    _slope(
        LECTURE, "completed", "Each additional completed item goes with 1.35 more points.", holding="wrong"
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson constant, each extra completed item goes with a score 1.35 points lower.",
        direction="wrong",
    ),
    _slope(
        LECTURE,
        "completed",
        "Controlling for lesson, completed has a negative relationship with score: 1.35 points per item.",
        direction="wrong",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, each additional item decreases the score by 1.35 points.",
        direction="wrong",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, one more completed item goes with 13.19 more points.",
        number="wrong",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, one more completed item goes with 2.5 more points.",
        number="wrong",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, each completed item goes with half a point more.",
        number="wrong",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, students who complete more items tend to score higher.",
        number="warn",
        unit="warn",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, completing one more item causes the score to rise by 1.35 points.",
        causal="warn",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, increasing completed by one item would raise the score by 1.35 points.",
        causal="warn",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, the effect of one more completed item is 1.35 more points.",
        causal="warn",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, one more item goes with 1.35.",
        names="warn",
    ),
    _gap(
        LECTURE,
        B,
        "Holding completed fixed, Lesson B students score 13.19 points lower than Lesson A students.",
    ),
    _gap(
        LECTURE,
        B,
        "Lesson A students score 13.19 points higher than Lesson B students with the same number of "
        "completed items.",
    ),
    _gap(
        LECTURE,
        B,
        "Compared with Lesson A, Lesson B goes with a predicted score about 13 points lower, controlling for "
        "completed.",
    ),
    _gap(
        LECTURE,
        B,
        "At any number of completed items, the expected score in Lesson B is 13.2 points below Lesson A's.",
    ),
    _gap(
        LECTURE,
        B,
        "The difference between Lesson B and Lesson A is −13.19 points at the same number of completed items.",
    ),
    _gap(
        LECTURE,
        B,
        "On average, holding completed fixed, Lesson B is associated with scores 13.19 points lower than "
        "Lesson A.",
    ),
    _gap(LECTURE, B, "Holding completed fixed, Lesson B scores thirteen points lower than Lesson A."),
    _gap(
        LECTURE,
        B,
        "Lesson B students score 13.19.",
        direction="wrong",
        holding="wrong",
        baseline="wrong",
    ),
    _gap(
        LECTURE,
        B,
        "The average score for Lesson B is −13.19, holding completed fixed.",
        baseline="wrong",
    ),
    _gap(LECTURE, B, "Lesson B students score 13.19 points lower, holding completed fixed.", baseline="warn"),
    _gap(
        LECTURE,
        B,
        "Holding completed fixed, Lesson B students score 13.19 points higher than Lesson A students.",
        direction="wrong",
    ),
    _gap(LECTURE, B, "Lesson B scores 13.19 points lower than Lesson A.", holding="wrong"),
    _gap(
        LECTURE,
        B,
        "Holding completed fixed, taking Lesson B causes a score 13.19 points lower than Lesson A.",
        causal="ok",
    ),
    _gap(
        LECTURE,
        B,
        "Holding completed fixed, the effect of Lesson B is a score 13.19 points below Lesson A.",
        causal="ok",
    ),
    _gap(
        LECTURE,
        B,
        "Holding completed fixed, Lesson B scores 1.35 points lower than Lesson A.",
        number="wrong",
    ),
    _gap(
        LECTURE,
        B,
        "Holding completed fixed, Lesson B scores 5.16 points lower than Lesson A.",
        number="wrong",
    ),
    _case(
        LECTURE,
        "Intercept",
        "The intercept, 18.34, is the predicted score of a Lesson A student with 0 completed items, an "
        "extrapolation since no student completed fewer than 9 items.",
        number="ok",
        names="ok",
        intercept="ok",
    ),
    _case(
        LECTURE,
        "Intercept",
        "When all predictors are zero (Lesson A, no completed items) the predicted score is 18.34, which is "
        "outside the data.",
        number="ok",
        names="ok",
        intercept="ok",
    ),
    _case(
        LECTURE, "Intercept", "The average quiz score is 18.34.", number="ok", names="ok", intercept="wrong"
    ),
    _case(
        LECTURE,
        "Intercept",
        "A Lesson A student who completed zero items is predicted to score 18.34 points.",
        number="ok",
        names="ok",
        intercept="warn",
    ),
    _case(
        LECTURE,
        "Intercept",
        "A student with 0 completed items is predicted to score 18.34 points, though no student has that few.",
        number="ok",
        names="ok",
        intercept="warn",
    ),
    _case(
        LECTURE,
        "Intercept",
        "A Lesson B student with no completed items is predicted to score 18.34, outside the data.",
        number="ok",
        names="ok",
        intercept="wrong",
    ),
    _case(
        LECTURE,
        "Intercept",
        "The intercept is 13.19: the predicted score for Lesson A at completed = 0 (an extrapolation).",
        number="wrong",
        names="ok",
        intercept="ok",
    ),
    _slope(
        LECTURE,
        "completed",
        "If two students took the same lesson and one completed an extra item, we'd expect that student's "
        "score to be 1.35 points higher.",
    ),
    _slope(
        LECTURE,
        "completed",
        "For a fixed lesson, quiz scores are on average 1.35 points higher per additional completed item.",
    ),
    _slope(
        LECTURE,
        "completed",
        "b2 = 1.35 means that, other things equal, a student with one more completed item scores 1.35 points "
        "more.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Ceteris paribus, one additional item completed is associated with a 1.35 point increase in quiz score.",
    ),
    _slope(
        LECTURE,
        "completed",
        "After accounting for lesson, an extra completed item corresponds to a quiz score 1.35 points higher.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, the predicted score increases by 1.35 as completed increases by 1.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, one fewer completed item goes with a score 1.35 points lower.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding the lesson constant, a student who completed 31 items is predicted to score 1.35 points more "
        "than one who completed 30.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, each additional item boosts the score by 1.35 points.",
        causal="warn",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, completed has a slope of 1.35 on score.",
        unit="warn",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, each one goes with 1.35 more points.",
        unit="warn",
        names="warn",
    ),
    _gap(
        LECTURE,
        B,
        "Students who took Lesson B are predicted to score 13.19 points lower than students who took Lesson A, "
        "if they completed the same number of items.",
    ),
    _gap(
        LECTURE,
        B,
        "Lesson B's line sits 13.19 points below Lesson A's at every value of completed.",
    ),
    _gap(
        LECTURE,
        B,
        "For two students with equal numbers of completed items, the one in Lesson B is expected to score 13.19 "
        "less than the one in Lesson A.",
    ),
    _gap(
        LECTURE,
        B,
        "Holding completed fixed, being in Lesson B instead of Lesson A goes with 13.19 fewer points.",
    ),
    _gap(
        LECTURE,
        B,
        "Controlling for completed, Lesson B scores are on average 13.19 points worse than Lesson A scores; "
        "since lessons were randomly assigned this may be causal.",
        causal="ok",
    ),
    _gap(
        LECTURE,
        B,
        "Lesson B doesn't necessarily cause lower scores, but controlling for completed it goes with 13.19 fewer "
        "points than Lesson A.",
    ),
    _gap(
        LECTURE,
        B,
        "We cannot say that Lesson B causes lower scores; holding completed fixed it is associated with a score "
        "13.19 points lower than Lesson A.",
    ),
    _gap(
        LECTURE,
        B,
        "Holding completed fixed, B is 13.19 lower than A.",
        names="warn",
        baseline="warn",
    ),
    _case(
        LECTURE,
        "Intercept",
        "The line for Lesson A crosses the y-axis at 18.34 points, which is outside the range of completed.",
        number="ok",
        names="ok",
        intercept="ok",
    ),
    _case(
        LECTURE,
        "Intercept",
        "b0 = 18.34 is the expected score for a Lesson A student who completed no items; nobody in the data "
        "completed that few, so it is an extrapolation.",
        number="ok",
        names="ok",
        intercept="ok",
    ),
    # --- penguins: bill_depth_mm ~ bill_length_mm + species -------------------------------------------------
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Comparing penguins of the same species, a bill 1 mm longer goes with a bill depth 0.2 mm greater.",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Controlling for species, each additional mm of bill length is associated with 0.20 mm more bill depth.",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "For penguins of the same species, one more millimetre of bill length goes with bills about 0.2 mm "
        "deeper, on average.",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Each additional mm of bill length goes with 0.20 mm more bill depth.",
        holding="wrong",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Holding species fixed, longer bills go with shallower bills: 0.2 mm less depth per mm of length.",
        direction="wrong",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Holding species fixed, bill length has a negative slope of −0.08 on bill depth.",
        number="wrong",
        direction="wrong",
        unit="warn",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Holding species fixed, a longer bill causes a deeper bill: 0.2 mm per mm.",
        causal="warn",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Holding species fixed, bill length does not cause bill depth to change, but each extra mm of length "
        "goes with 0.20 mm more depth.",
    ),
    _gap(
        PENGUINS,
        CHINSTRAP,
        "Chinstrap penguins have bills 1.93 mm shallower than Adelie penguins with the same bill length.",
    ),
    _gap(
        PENGUINS,
        CHINSTRAP,
        "Chinstrap penguins have an average bill depth of −1.93 mm.",
        holding="wrong",
        baseline="wrong",
    ),
    _gap(
        PENGUINS, GENTOO, "Holding bill length fixed, Gentoo bills are 5.11 mm less deep than Adelie bills."
    ),
    _gap(
        PENGUINS,
        GENTOO,
        "Holding bill length fixed, Gentoo bills are 1.93 mm shallower than Adelie bills.",
        number="wrong",
    ),
    _gap(
        PENGUINS, GENTOO, "Holding bill length constant, Adelie bills are 5.11 mm deeper than Gentoo bills."
    ),
    _gap(
        PENGUINS,
        GENTOO,
        "At the same bill length, a Gentoo penguin's bill is 5.1 mm shallower than a Chinstrap's.",
        baseline="warn",
    ),
    _case(
        PENGUINS,
        "Intercept",
        "The intercept 10.59 is the predicted bill depth of an Adelie penguin with a bill length of 0 mm, which "
        "is far outside the data.",
        number="ok",
        names="ok",
        intercept="ok",
    ),
    _case(
        PENGUINS,
        "Intercept",
        "The intercept means the average bill depth is 10.59 mm.",
        number="ok",
        names="ok",
        intercept="wrong",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Holding species fixed, for each millimetre increase in bill length, bill depth increases by about "
        "0.2 mm.",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Within a species, penguins whose bills are 1 mm longer have bills about 0.20 mm deeper on average.",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Controlling for species, each additional mm goes with 0.2 mm more.",
        names="warn",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Within each species, the bill length coefficient of 0.20 says longer bills go with deeper bills.",
        unit="warn",
    ),
    _gap(
        PENGUINS,
        GENTOO,
        "Gentoo penguins' bills are about 5.1 mm less deep than Adelie penguins' bills of the same length.",
    ),
    _gap(
        PENGUINS,
        CHINSTRAP,
        "At a given bill length, Chinstrap bills are 1.93 mm shallower than Adelie ones; the species are not "
        "assigned so this is not causal.",
    ),
    # --- an interaction: score ~ lesson * completed ---------------------------------------------------------
    _case(
        INTERACTION,
        "completed",
        "For Lesson A students, one more completed item goes with a 1.27-point higher score.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="ok",
    ),
    _case(
        INTERACTION,
        "completed",
        "In Lesson A, each additional item is associated with 1.3 more points on average.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="ok",
    ),
    _case(
        INTERACTION,
        "completed",
        "Holding lesson fixed, one more completed item goes with a 1.27-point higher score.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="wrong",
    ),
    _case(
        INTERACTION,
        "completed",
        "For Lesson B students, each additional completed item goes with 1.43 more points.",
        number="warn",
        direction="ok",
        unit="ok",
        names="ok",
        where="wrong",
    ),
    _case(
        INTERACTION,
        B,
        "At completed = 0, which is outside the data, Lesson B's predicted score is 18.09 points lower than "
        "Lesson A's.",
        number="ok",
        direction="ok",
        names="ok",
        where="ok",
        baseline="ok",
    ),
    _case(
        INTERACTION,
        B,
        "Holding completed fixed, Lesson B scores 18.09 points lower than Lesson A.",
        number="ok",
        direction="ok",
        names="ok",
        where="wrong",
        baseline="ok",
    ),
    _case(
        INTERACTION,
        B,
        "For students with no completed items, Lesson B is predicted to score eighteen points below Lesson A.",
        number="ok",
        direction="ok",
        names="ok",
        where="warn",
        baseline="ok",
    ),
    _case(
        INTERACTION,
        B,
        "At 30 completed items Lesson B scores 13.3 points lower than Lesson A.",
        number="warn",
        direction="ok",
        names="ok",
        where="wrong",
        baseline="ok",
    ),
    _case(
        INTERACTION,
        "lesson[T.Lesson B]:completed",
        "Completed's slope is 0.16 points per item steeper for Lesson B than for Lesson A.",
        number="ok",
        direction="ok",
        names="ok",
        baseline="ok",
    ),
    _case(
        INTERACTION,
        "lesson[T.Lesson B]:completed",
        "For Lesson B, the slope of completed is 0.16.",
        number="ok",
        direction="ok",
        names="ok",
        baseline="wrong",
    ),
    _case(
        INTERACTION,
        "lesson[T.Lesson B]:completed",
        "The slope of completed is 0.16 smaller for Lesson B than for Lesson A.",
        number="ok",
        direction="wrong",
        names="ok",
        baseline="ok",
    ),
    _case(
        INTERACTION,
        "lesson[T.Lesson B]:completed",
        "Lesson B's slope for completed is 1.43.",
        number="warn",
        names="ok",
        baseline="wrong",
    ),
    _case(
        INTERACTION,
        "Intercept",
        "The intercept 20.88 is the predicted score for Lesson A students with zero completed items, an "
        "extrapolation.",
        number="ok",
        names="ok",
        intercept="ok",
    ),
    # --- two numeric predictors interacting: port3 ~ math1 * port1 -----------------------------------------
    _case(
        GRADES,
        "math1",
        "For students whose first-period Portuguese grade is 0, one more point in math1 goes with a final "
        "Portuguese grade 0.0056 points lower.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="ok",
    ),
    _case(
        GRADES,
        "math1",
        "Holding port1 fixed, one more math1 point goes with a 0.0056 lower port3.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="wrong",
    ),
    _case(
        GRADES,
        "math1",
        "At port1 = 0, math1 has a positive slope of 0.0056 on port3.",
        number="ok",
        direction="wrong",
        unit="warn",
        names="ok",
        where="ok",
    ),
    _case(
        GRADES,
        "math1",
        "For students with the same port1, each additional math1 point goes with 0.11 more port3 points.",
        number="wrong",
        direction="wrong",
        unit="ok",
        names="ok",
        where="wrong",
    ),
    _case(
        GRADES,
        "port1",
        "For a student with a first-period Mathematics grade of 0, one more point of port1 goes with 0.76 more "
        "points of port3, but no student has math1 that low.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="ok",
    ),
    _case(
        GRADES,
        "port1",
        "When math1 is 0, each extra grade point in port1 goes with 0.76 more points in port3.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="warn",
    ),
    _case(
        GRADES,
        "math1:port1",
        "For each one-point increase in port1, math1's slope on port3 rises by 0.0094.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
    ),
    _case(
        GRADES,
        "math1:port1",
        "The slope of math1 gets smaller by 0.0094 for each point higher port1.",
        number="ok",
        direction="wrong",
        unit="ok",
        names="ok",
    ),
    _case(
        GRADES,
        "Intercept",
        "A student with 0 in both first-period grades is predicted to score 2.11 in final Portuguese, outside "
        "the data.",
        number="ok",
        names="ok",
        intercept="ok",
    ),
    _case(
        GRADES,
        "Intercept",
        "The average final Portuguese grade is 2.11.",
        number="ok",
        names="ok",
        intercept="wrong",
    ),
    _case(
        GRADES,
        "math1",
        "For students with port1 = 0, one more point goes with a 0.0056 lower final Portuguese grade.",
        number="ok",
        direction="ok",
        unit="ok",
        names="warn",
        where="ok",
    ),
    _case(
        GRADES,
        "port1",
        "At math1 = 0 (outside the data), port1's coefficient is 0.76 on the final Portuguese grade.",
        number="ok",
        direction="ok",
        unit="warn",
        names="ok",
        where="ok",
    ),
    _case(
        GRADES,
        "math1:port1",
        "For every extra point of port1, the association between math1 and port3 grows by 0.0094 points per "
        "point.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
    ),
    # --- log response and log predictor: np.log(invest) ~ np.log(value) ------------------------------------
    _case(
        ELASTICITY,
        "log(value)",
        "A firm-year with 1 % more market value goes with about 1 % more gross investment.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
    ),
    _case(
        ELASTICITY,
        "log(value)",
        "Doubling market value goes with gross investment about 99 % higher.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
    ),
    _case(
        ELASTICITY,
        "log(value)",
        "Each additional million dollars of market value goes with 1.00 more investment.",
        number="ok",
        direction="ok",
        unit="wrong",
        names="ok",
    ),
    _case(
        ELASTICITY,
        "log(value)",
        "Doubling market value causes investment to double.",
        number="warn",
        unit="ok",
        names="ok",
        causal="warn",
    ),
    _case(
        ELASTICITY,
        "log(value)",
        "On the log scale, 1 % higher value is associated with 1 % more investment on average, though it does "
        "not cause it.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
    ),
    _case(
        ELASTICITY,
        "log(value)",
        "Doubling market value goes with about 99 % lower investment.",
        number="ok",
        direction="wrong",
        unit="ok",
        names="ok",
    ),
    _case(
        ELASTICITY,
        "Intercept",
        "The intercept −2.14 is the predicted log investment at a market value of 1 (log value 0), outside the "
        "data.",
        number="ok",
        names="ok",
        intercept="ok",
    ),
    _case(
        ELASTICITY,
        "Intercept",
        "The intercept 2.14 is the predicted log investment at a value of 1, an extrapolation.",
        number="ok",
        direction="wrong",
        names="ok",
        intercept="ok",
    ),
    _case(
        ELASTICITY,
        "log(value)",
        "A 10 % higher market value goes with about 10 % more investment.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
    ),
    _case(
        ELASTICITY,
        "log(value)",
        "1 % more goes with 1 % more.",
        number="ok",
        direction="ok",
        unit="ok",
        names="warn",
    ),
    # --- log response: log(score) ~ completed + lesson -----------------------------------------------------
    _slope(
        LOG_SCORE,
        "completed",
        "Holding lesson fixed, each additional completed item goes with a score about 2.8 % higher.",
    ),
    _slope(
        LOG_SCORE,
        "completed",
        "Controlling for lesson, one more completed item is associated with roughly 2.7 percent more points.",
    ),
    _slope(
        LOG_SCORE,
        "completed",
        "Holding lesson fixed, one more completed item goes with 2.7 more points.",
        number="wrong",
    ),
    _gap(
        LOG_SCORE,
        B,
        "Holding completed fixed, Lesson B scores are about twenty-five percent lower than Lesson A scores.",
    ),
    _gap(
        LOG_SCORE,
        B,
        "Holding completed fixed, Lesson B scores are 25 % higher than Lesson A scores.",
        direction="wrong",
    ),
    _slope(
        LOG_SCORE,
        "completed",
        "Holding lesson fixed, completed goes with scores about 2.8 % higher.",
        unit="warn",
    ),
    _gap(
        LOG_SCORE,
        B,
        "Holding completed fixed, Lesson B's predicted log score is 0.29 lower than Lesson A's.",
    ),
    # --- a curve: score ~ completed + I(completed**2) ------------------------------------------------------
    _case(
        CURVE,
        "completed",
        "At completed = 0, outside the data, the curve's slope is 1.66 points per item.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="ok",
    ),
    _case(
        CURVE,
        "completed",
        "Each additional completed item goes with 1.66 more points.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="wrong",
    ),
    _case(
        CURVE,
        "completed",
        "At 30 completed items the slope is 1.33 points per item.",
        number="warn",
        unit="ok",
        names="ok",
        where="wrong",
    ),
    _case(
        CURVE,
        "I(completed ** 2)",
        "The negative squared term, −0.0055, means the curve bends downward: the slope of completed falls as "
        "completed grows.",
        number="ok",
        direction="ok",
        names="ok",
    ),
    _case(
        CURVE,
        "I(completed ** 2)",
        "The squared term of −0.0055 means the score rises faster and faster as completed grows.",
        number="ok",
        direction="wrong",
        names="ok",
    ),
    # --- no intercept: the levels' own coefficients ----------------------------------------------------------
    _case(
        CELLS,
        "lesson[Lesson B]",
        "Without an intercept, 5.16 is the predicted score for Lesson B students with 0 completed items, an "
        "extrapolation.",
        number="ok",
        names="ok",
        where="ok",
        baseline="ok",
    ),
    _case(
        CELLS,
        "lesson[Lesson B]",
        "Lesson B students score 5.16 points less than Lesson A students.",
        number="ok",
        names="ok",
        where="wrong",
        baseline="wrong",
    ),
    _case(
        CELLS,
        "lesson[Lesson B]",
        "For Lesson B students with no completed items, the predicted score is 5.16 (outside the data).",
        number="ok",
        names="ok",
        where="ok",
        baseline="ok",
    ),
    # --- more wordings, written before the checker saw them --------------------------------------------
    _slope(
        LECTURE,
        "completed",
        "Among students in the same lesson version, each extra completed item is linked with a predicted quiz score that is 1.35 points higher.",
    ),
    _slope(
        LECTURE,
        "completed",
        "When we compare students with the same lesson, completing an additional item goes along with roughly 1.4 more quiz points.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Completing one more item lowers the score by 1.35 points when lesson is held fixed.",
        direction="wrong",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, every additional item completed is associated with a score 18.34 points higher.",
        number="wrong",
    ),
    _slope(
        LECTURE,
        "completed",
        "For each extra item, students score 1.35 points higher, regardless of anything else.",
        holding="wrong",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, doing one more item will increase your score by 1.35 points.",
        causal="warn",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, scores and completed items go together: on average 1.35 points per item.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, a student's predicted score goes up by one point three five per item.",
        number="wrong",
    ),
    _gap(
        LECTURE,
        B,
        "Among students who completed the same number of items, those in Lesson B scored about 13 points less than those in Lesson A.",
    ),
    _gap(LECTURE, B, "Lesson B lowers the average score to 13.19.", holding="wrong", baseline="wrong"),
    _gap(
        LECTURE,
        B,
        "Controlling for completed items, Lesson B students score 13.19 points above Lesson A students.",
        direction="wrong",
    ),
    _gap(
        LECTURE,
        B,
        "Controlling for completed, Lesson A leads to scores 13.19 points higher than Lesson B.",
        causal="ok",
    ),
    _gap(
        LECTURE,
        B,
        "Relative to Lesson A and at the same completed count, Lesson B is associated with a 13.19-point drop in score.",
    ),
    _case(
        LECTURE,
        "Intercept",
        "18.34 is the mean score of Lesson A students.",
        number="ok",
        names="ok",
        intercept="wrong",
    ),
    _case(
        LECTURE,
        "Intercept",
        "The intercept is the predicted quiz score of a Lesson A student who completed nothing, 18.34, but no one in the data completed so few items.",
        number="ok",
        names="ok",
        intercept="ok",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Among penguins of one species, a 1 mm longer bill goes with a bill about 0.2 mm deeper.",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Bill depth goes down 0.2 mm for every extra mm of bill length, holding species fixed.",
        direction="wrong",
    ),
    _slope(
        PENGUINS,
        "bill_length_mm",
        "Holding species fixed, bill length has a positive association with bill depth of 0.20 mm per mm.",
    ),
    _gap(PENGUINS, GENTOO, "Gentoo penguins have 5.11 mm shallower bills.", holding="wrong", baseline="warn"),
    _gap(
        PENGUINS,
        CHINSTRAP,
        "For the same bill length, a Chinstrap's bill is predicted to be 1.93 mm shallower than an Adelie's.",
    ),
    _case(
        INTERACTION,
        "completed",
        "Among Lesson A students, one more completed item goes with 1.27 more points, but this slope is only for Lesson A.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="ok",
    ),
    _case(
        INTERACTION,
        "completed",
        "Each additional completed item goes with 1.27 more points for all students.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="wrong",
    ),
    _case(
        INTERACTION,
        "lesson[T.Lesson B]:completed",
        "In Lesson B each completed item adds 0.16 points more to the score than in Lesson A.",
        number="ok",
        direction="ok",
        names="ok",
        baseline="ok",
    ),
    _case(
        GRADES,
        "port1",
        "When the first-period Mathematics grade is zero, which is outside the data, one more point in port1 goes with 0.76 more points in port3.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="ok",
    ),
    _case(
        GRADES,
        "math1:port1",
        "Each extra point of port1 makes the slope of math1 0.0094 steeper.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
    ),
    _case(
        ELASTICITY,
        "log(value)",
        "Firm-years with twice the market value have about 99 % more gross investment.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
    ),
    _case(
        ELASTICITY,
        "log(value)",
        "A 1 % increase in market value leads to a 1 % increase in investment.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        causal="warn",
    ),
    _slope(
        LOG_SCORE,
        "completed",
        "Holding lesson fixed, each additional completed item goes with scores about 3 percent higher.",
        number="wrong",
    ),
    _case(
        CURVE,
        "I(completed ** 2)",
        "Because the squared term is negative (−0.0055), the benefit of each extra item shrinks as students complete more items.",
        number="ok",
        direction="ok",
        names="ok",
    ),
    _case(
        CELLS,
        "lesson[Lesson A]",
        "Without an intercept, 18.34 is Lesson A's own predicted score at completed = 0, which is an extrapolation.",
        number="ok",
        names="ok",
        where="ok",
        baseline="ok",
    ),
    # direction traps
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, students who completed fewer items scored lower, by 1.35 points per item.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, the relationship between completed items and score is negative: −1.35 points per item.",
        direction="wrong",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, there is a positive relationship: 1.35 points more per additional item.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, the score doesn't go down with completed items; it rises 1.35 points per item.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, one more completed item is associated with a 1.35-point decrease in quiz score.",
        direction="wrong",
    ),
    # numbers
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, one more completed item goes with about 1 more point.",
        number="wrong",
    ),
    _slope(
        LECTURE, "completed", "Holding lesson fixed, one more completed item goes with 1.354 more points."
    ),
    _gap(LECTURE, B, "Holding completed fixed, Lesson B scores 13.186 points lower than Lesson A."),
    _gap(
        LECTURE,
        B,
        "Holding completed fixed, Lesson B scores 18.34 points lower than Lesson A.",
        number="wrong",
    ),
    _gap(
        LECTURE, B, "Holding completed fixed, Lesson B scores 12 points lower than Lesson A.", number="wrong"
    ),
    # holding traps
    _slope(
        LECTURE,
        "completed",
        "Without holding lesson fixed, each extra item goes with 1.35 more points.",
        holding="wrong",
    ),
    _gap(
        LECTURE, B, "Ignoring completed, Lesson B scores 13.19 points lower than Lesson A.", holding="wrong"
    ),
    _gap(
        LECTURE,
        B,
        "In the model with completed, Lesson B's predicted score is 13.19 points lower than Lesson A's for students with the same completed count.",
    ),
    # baseline and order
    _gap(LECTURE, B, "Lesson A outscores Lesson B by 13.19 points at the same number of completed items."),
    _gap(
        LECTURE,
        B,
        "At equal completed, the Lesson A minus Lesson B difference is 13.19 points.",
    ),
    _gap(LECTURE, B, "Holding completed fixed, Lesson B's expected score is −13.19.", baseline="wrong"),
    _gap(
        PENGUINS,
        CHINSTRAP,
        "Holding bill length fixed, Adelie bills are 1.93 mm shallower than Chinstrap bills.",
        direction="wrong",
    ),
    _gap(
        PENGUINS,
        CHINSTRAP,
        "Holding bill length fixed, the Chinstrap bill depth is 1.93 mm.",
        direction="wrong",
        baseline="wrong",
    ),
    # intercept
    _case(
        LECTURE,
        "Intercept",
        "18.34 is where the Lesson A line meets the vertical axis, at completed = 0, well outside the data.",
        number="ok",
        names="warn",
        intercept="ok",
    ),
    _case(
        LECTURE,
        "Intercept",
        "The typical Lesson A student scores 18.34.",
        number="ok",
        names="ok",
        intercept="wrong",
    ),
    _case(
        PENGUINS,
        "Intercept",
        "An Adelie penguin with a 0 mm bill would have a predicted bill depth of 10.59 mm, which is not meaningful.",
        number="ok",
        names="ok",
        intercept="ok",
    ),
    # causal
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, more completed items result in 1.35 more points each.",
        causal="warn",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, each completed item predicts 1.35 more points; correlation is not causation.",
    ),
    _slope(
        LECTURE,
        "completed",
        "Holding lesson fixed, each completed item goes with 1.35 more points, an association rather than an effect.",
    ),
    _gap(
        PENGUINS,
        GENTOO,
        "Holding bill length fixed, being a Gentoo causes bills 5.11 mm shallower than Adelie bills.",
        causal="warn",
    ),
    # interaction and curve
    _case(
        INTERACTION,
        "completed",
        "The completed coefficient 1.27 is the slope for the reference lesson only.",
        number="ok",
        direction="ok",
        unit="warn",
        names="warn",
        where="ok",
    ),
    _case(
        INTERACTION,
        "lesson[T.Lesson B]",
        "Lesson B students score 18.09 points less than Lesson A students at every number of completed items.",
        number="ok",
        direction="ok",
        names="ok",
        where="wrong",
        baseline="ok",
    ),
    _case(
        CURVE,
        "completed",
        "For students at 0 completed items, which no student has, the predicted score rises 1.66 points per item.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
        where="ok",
    ),
    _case(
        CURVE,
        "I(completed ** 2)",
        "The squared term shows the slope rises by 0.0055 per item.",
        number="ok",
        direction="wrong",
        names="ok",
    ),
    _case(
        ELASTICITY,
        "log(value)",
        "Each 1 % increase in market value goes with about a 1 % increase in gross investment, on average.",
        number="ok",
        direction="ok",
        unit="ok",
        names="ok",
    ),
    # --- an interaction whose gap changes sign: each direction is read at the value its clause states ------
    _case(
        CROSSING,
        GENTOO,
        "At flipper_length_mm = 0, which is outside the data, Gentoo's predicted body mass is 4,251.44 g lower "
        "than Adelie's; at 210 mm of flipper length it is 324.63 g higher.",
        number="ok",
        direction="ok",
        names="ok",
        where="ok",
        baseline="ok",
    ),
    _case(
        CROSSING,
        GENTOO,
        "At flipper_length_mm = 0 (outside the data) Gentoo's predicted body mass is 4,251.44 g lower than "
        "Adelie's, and at 210 it is 324.63 g lower.",
        number="ok",
        direction="wrong",
        names="ok",
        where="ok",
        baseline="ok",
    ),
    _case(
        CROSSING,
        GENTOO,
        "At 190 mm, Gentoo penguins weigh 111 g less than Adelie penguins on average, but at 210 mm Gentoo "
        "penguins are predicted to be heavier.",
        number="warn",
        direction="ok",
        names="ok",
        where="wrong",
        baseline="ok",
    ),
    # --- "a negative slope" states the sign itself, whatever the x words around it --------------------------
    _case(
        SIMPLE,
        "completed",
        "completed's negative slope means more items go with lower scores.",
        direction="wrong",
        names="ok",
        unit="warn",
        number="warn",
    ),
    _case(
        SIMPLE,
        "completed",
        "There is a positive relationship: more completed items go with higher quiz scores.",
        direction="ok",
        names="ok",
        unit="warn",
        number="warn",
    ),
)
