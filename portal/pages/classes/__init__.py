"""Pages of the classes domain: the 类似诉求 panel, 我关注的诉求 (issue #26)."""
