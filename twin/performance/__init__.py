"""Performance evaluation (绩效评估): measures per unit, officer and department over a period."""
