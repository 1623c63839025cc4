"""A glossary of the ideas the walkthrough uses, for ``/explain`` and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from bot.regression.errors import UserInputError, suggestion
from bot.regression.steps import Step


@dataclass(frozen=True)
class Entry:
    """One idea: a key users type, a title, the explanation, an example to try, and related keys."""

    key: str
    title: str
    body: str
    example: str = ""
    related: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def step(self) -> Step:
        """The entry as a Step (one embed)."""
        parts = [self.body]
        if self.example:
            parts.append(f"**Try it:** {self.example}")
        if self.related:
            parts.append("**See also:** " + ", ".join(f"`{r}`" for r in self.related))
        return Step(self.title, "\n\n".join(parts))


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "intercept",
        "Intercept (b₀)",
        "The predicted response when every numeric predictor is 0 and every categorical predictor is at its "
        "baseline. It anchors the line; it is often not interesting on its own, and when 0 lies outside the "
        "data it is an **extrapolation** (nobody in the codecademy data completed 0 items).",
        "`/fit dataset:codecademy formula:score ~ lesson + center(completed)` puts the intercept at an "
        "average student.",
        ("slope", "baseline", "centering", "extrapolation"),
    ),
    Entry(
        "slope",
        "Slope",
        "How much the predicted response differs between two cases whose predictor differs by one unit, "
        "**holding the other predictors fixed**. A slope of 1.35 points per item means: among students who "
        "took the same lesson, one more completed item goes with a 1.35-point higher expected score. A "
        'negative slope is not "a downward trend in the data" on its own: it is a comparison at fixed values '
        "of the other predictors.",
        "`/fit dataset:codecademy formula:score ~ completed`",
        ("holding-fixed", "intercept", "interaction"),
    ),
    Entry(
        "indicator",
        "Indicator (dummy) variable",
        "A 0/1 column that stands for one level of a categorical predictor. statsmodels writes "
        "`lesson[T.Lesson B]`: it is 1 for Lesson B and 0 for Lesson A. Its coefficient is the difference "
        "between that level and the **baseline** at the same values of the other predictors, **not** the "
        "level's average.",
        "`/fit dataset:codecademy formula:score ~ lesson + completed`",
        ("baseline", "categorical"),
        ("dummy", "dummy variable", "indicator variable"),
    ),
    Entry(
        "baseline",
        "Baseline (reference level)",
        "The level of a categorical predictor that gets no indicator: every indicator is 0 for it, so the "
        "intercept belongs to it and every other level's coefficient is a difference from it. By default it "
        "is the first level (alphabetical, or the order the dataset gives).",
        "`/describe dataset:penguins` shows the species levels, baseline first.",
        ("indicator", "intercept"),
        ("reference level", "reference"),
    ),
    Entry(
        "holding-fixed",
        "Holding the others fixed (controlling for)",
        "Every coefficient in a multiple regression compares cases that are alike in the **other** "
        "predictors. That is why the slope of a predictor can change, even flip sign, when another "
        "predictor is added: the comparison changed. Dropping the phrase changes the meaning of the sentence.",
        "`/compare dataset:penguins formula:bill_depth_mm ~ bill_length_mm other:bill_depth_mm ~ "
        "bill_length_mm + species`",
        ("slope", "simpsons-paradox"),
        ("controlling for", "ceteris paribus", "holding fixed"),
    ),
    Entry(
        "interaction",
        "Interaction",
        "A term that multiplies two predictors (`lesson:completed`; `lesson * completed` is shorthand for "
        "both main effects plus the interaction). It lets the slope of one depend on the value of the other: "
        "with a categorical predictor, each group gets its own slope, so the lines are no longer parallel. "
        "The main-effect slope is then the slope for the baseline group only.",
        "`/fit dataset:codecademy formula:score ~ lesson * completed`",
        ("slope", "parallel-lines"),
    ),
    Entry(
        "parallel-lines",
        "Parallel lines",
        "In `y ~ group + x` every group shares the slope of x and gets its own intercept, so the fitted lines "
        "are parallel: the group difference is the same at every x. To let the lines tilt differently, add an "
        "interaction.",
        "`/fit dataset:codecademy formula:score ~ lesson + completed` and press Next to the picture.",
        ("interaction", "indicator"),
    ),
    Entry(
        "r-squared",
        "R² (coefficient of determination)",
        "The share of the variation of the response around its mean that the model accounts for (0 to 1). "
        "It never falls when a predictor is added, even a useless one, so compare models with **adjusted "
        "R²** or an F-test. R² does not say how important a single predictor is, nor whether the model is "
        "right.",
        "`/compare dataset:codecademy formula:score ~ completed other:score ~ lesson + completed`",
        ("adjusted-r-squared", "residual"),
        ("r2", "r squared", "rsquared"),
    ),
    Entry(
        "adjusted-r-squared",
        "Adjusted R²",
        "R² with a penalty for each coefficient: it falls when an added term improves the fit by less than "
        "chance would. Useful for comparing models with different numbers of terms.",
        "",
        ("r-squared",),
        ("adjusted r2",),
    ),
    Entry(
        "residual",
        "Residual",
        "Observed minus predicted: how far one case is from the model's prediction. Least squares picks the "
        "coefficients that make the sum of squared residuals smallest. A plot of residuals against fitted "
        "values should look like a shapeless band around 0; a curve or a funnel says the model misses "
        "something.",
        "",
        ("least-squares", "r-squared"),
        ("residuals", "error"),
    ),
    Entry(
        "least-squares",
        "Least squares (OLS)",
        "Ordinary least squares chooses the coefficients that minimise the sum of squared residuals. It is "
        "what statsmodels' `ols` does and what every fit here uses.",
        "",
        ("residual",),
        ("ols", "ordinary least squares"),
    ),
    Entry(
        "predictor-feature-parameter",
        "Predictor vs feature vs parameter",
        "A **predictor** (explanatory variable, independent variable) is a column you use to predict, like "
        "`lesson`. A **feature** is a column of the design matrix built from predictors: `lesson` becomes the "
        "feature `lesson[T.Lesson B]`, `I(x**2)` is a feature built from x. A **parameter** (coefficient, b) "
        "is a number the fit estimates, one per feature plus the intercept.",
        "",
        ("indicator", "coefficient"),
        ("predictor", "feature", "parameter"),
    ),
    Entry(
        "coefficient",
        "Coefficient (estimate)",
        "A number the fit estimates: the intercept, a slope, an indicator's difference, an interaction. Each "
        "comes with a standard error and a confidence interval that say how precisely the data pin it down.",
        "",
        ("confidence-interval", "p-value", "slope"),
        ("coefficients", "estimate", "b"),
    ),
    Entry(
        "confidence-interval",
        "Confidence interval",
        "A range of values for a coefficient (or a mean prediction) compatible with the data: a 95% interval "
        "is built by a method that covers the true value in 95% of repeated samples. Wide intervals mean the "
        "data say little about that number.",
        "`/predict dataset:codecademy formula:score ~ lesson + completed values:completed=35 lesson=Lesson A`",
        ("prediction-interval", "coefficient"),
        ("ci",),
    ),
    Entry(
        "prediction-interval",
        "Prediction interval",
        "A range for one new case's value, not the average: it adds the scatter of single cases around the "
        "mean (the residual spread), so it is always wider than the confidence interval for the mean.",
        "`/predict dataset:codecademy formula:score ~ lesson + completed values:completed=35 lesson=Lesson A`",
        ("confidence-interval", "residual"),
        ("pi",),
    ),
    Entry(
        "p-value",
        "p-value",
        "For a coefficient: how surprising an estimate at least this far from 0 would be if the true value "
        "were 0. A small p-value is evidence against 0; it is not the probability that the coefficient is "
        "0, and it says nothing about how large or important the association is.",
        "",
        ("confidence-interval",),
        ("p value", "significance"),
    ),
    Entry(
        "causal-vs-associational",
        "Causal vs associational",
        "Regression on observational data describes **associations**: how the prediction differs between "
        'cases. "Lesson B students score 13 points lower at the same completed" is associational; "Lesson B '
        'causes lower scores" needs random assignment (an experiment) or a careful causal argument. Prefer '
        '"goes with" and "is associated with" over "causes", "leads to" or "the effect of".',
        "",
        ("holding-fixed",),
        ("causation", "causal", "correlation is not causation"),
    ),
    Entry(
        "multicollinearity",
        "Multicollinearity and VIF",
        "When predictors are strongly related to each other, the data cannot separate their slopes well: "
        "standard errors grow and estimates swing when a predictor is added or dropped. The **variance "
        "inflation factor** (VIF = 1 / (1 − R²ⱼ), where R²ⱼ comes from predicting predictor j from the "
        "others) measures it: 1 means unrelated; above about 5-10 deserves a look. Perfectly related "
        "predictors cannot be fitted at all.",
        "",
        ("holding-fixed", "coefficient"),
        ("vif", "collinearity"),
    ),
    Entry(
        "box-plot",
        "Box plot",
        "The box spans the middle half of the values (first to third quartile) with a line at the median; "
        "the whiskers reach the most extreme values within 1.5 box lengths; points beyond are drawn singly. "
        "Side by side, box plots compare a numeric variable across groups.",
        "`/plot dataset:codecademy x:lesson y:score kind:box`",
        ("categorical",),
        ("boxplot", "box and whisker"),
    ),
    Entry(
        "categorical",
        "Categorical predictor",
        "A predictor whose values are labels (levels), like lesson or species. It enters the model as "
        "indicators, one per level except the baseline. Wrap a numeric code in `C()` to treat it as "
        "categorical: `C(Medu)`.",
        "`/fit dataset:penguins formula:body_mass_g ~ species`",
        ("indicator", "baseline"),
        ("factor", "categorical variable"),
    ),
    Entry(
        "extrapolation",
        "Extrapolation",
        "Using the model outside the range of the data it was fitted on. The fitted line is only checked "
        "where there are data; beyond that, it is an assumption that the pattern continues.",
        "",
        ("intercept", "centering"),
    ),
    Entry(
        "centering",
        "Centering",
        "Subtracting the mean from a predictor (`center(x)`). Slopes do not change, but the intercept becomes "
        "the prediction at an average value instead of at 0, which is easier to interpret when 0 lies outside "
        "the data.",
        "`/fit dataset:codecademy formula:score ~ lesson + center(completed)`",
        ("intercept", "extrapolation"),
        ("center", "standardize", "standardizing"),
    ),
    Entry(
        "simpsons-paradox",
        "Simpson's paradox",
        "A trend that appears in pooled data reverses within the groups, clearly (both slopes' intervals "
        "exclude 0). Penguins: longer bills go with shallower bills when all penguins are pooled, but with "
        "deeper bills within each species, because the species differ in both measurements. The /compare "
        "below computes both slopes and shows exactly how the pooled one mixes in the species.",
        "`/compare dataset:penguins formula:bill_depth_mm ~ bill_length_mm other:bill_depth_mm ~ "
        "bill_length_mm + species`",
        ("holding-fixed",),
        ("simpson", "simpson's paradox", "sign flip"),
    ),
    Entry(
        "polynomial",
        "Polynomial terms",
        "`I(x**2)` adds the square of x as a feature, so the prediction can curve. The slope then changes "
        'along x, so no single coefficient is "the effect of x": read the model through predictions at a '
        "few values.",
        "`/fit dataset:codecademy formula:score ~ completed + I(completed**2)`",
        ("interaction",),
        ("quadratic", "curve", "squared"),
    ),
)


def topics() -> tuple[str, ...]:
    """Every glossary key, in reading order."""
    return tuple(e.key for e in ENTRIES)


def lookup(topic: str) -> Entry:
    """The entry whose key, title or alias matches ``topic`` (case-insensitive)."""
    wanted = topic.strip().lower().replace("_", "-")
    for entry in ENTRIES:
        names = {entry.key, entry.title.lower(), *entry.aliases}
        if wanted in names or wanted.replace("-", " ") in names:
            return entry
    raise UserInputError(
        f"There is no glossary entry for `{topic[:60]}`.", suggestion(wanted, topics(), what="topic")
    )


def search(prefix: str, limit: int = 25) -> list[Entry]:
    """Entries matching what a user has typed so far (for autocomplete): prefix first, then substring."""
    wanted = prefix.strip().lower()
    starts = [e for e in ENTRIES if e.key.startswith(wanted) or e.title.lower().startswith(wanted)]
    within = [
        e
        for e in ENTRIES
        if e not in starts
        and (wanted in e.key or wanted in e.title.lower() or any(wanted in a for a in e.aliases))
    ]
    return (starts + within)[:limit]
