"""The teaching engine: datasets, safe formulas, fits, equations, walkthroughs and plots (no Discord)."""
