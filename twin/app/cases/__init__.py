"""The case page (/case/<code>) and the case actions of a unit page's table (issue 13)."""
