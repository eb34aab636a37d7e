"""States of the classes domain: 类似诉求 while a demand is written, 我关注的诉求 (issue #26)."""
