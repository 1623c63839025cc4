"""The regression office-hours bot: a teaching engine for linear regression and its Discord front end."""
