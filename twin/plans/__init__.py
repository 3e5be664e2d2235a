"""Grid plans: versions of the grid map, drafts of changes, their checks, impact and publishing."""
