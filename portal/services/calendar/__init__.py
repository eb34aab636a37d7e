"""The working-day calendar: the holiday table, its admin (a day, or a pasted State Council notice),
and recounting open deadlines when it changes."""
