"""From one demand to a class of problems (seeds 000, 003, 004: 解决一个问题、带动破解一类问题): similar
demands shown while a demand is written (``similarity``, ``suggestions``), 关注 instead of a duplicate,
candidate groups and confirmed 一类问题 for the centre, and the public 每月一题."""
