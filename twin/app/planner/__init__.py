"""The planner's pages (issue 12): the list of plans and versions, compare, the workflow."""
