-- Move the cases' overdue checkpoint forward to a moment (migration 020); false when it did
-- not move (not forward, or a writer holds it: the next call tries again).
-- params: at timestamptz
-- columns: moved boolean
SELECT twin_advance_overdue_checkpoint(%(at)s::timestamptz) AS moved;
