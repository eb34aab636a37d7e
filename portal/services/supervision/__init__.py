"""督办: the work-order sweep, the card ladder, 催办, the board, the figures and 一月一通报, time-limit rules,
and the scheduler's other timed work."""
