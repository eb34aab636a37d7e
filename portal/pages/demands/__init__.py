"""Pages of a demand's life: the enterprise's list and form, the staff work lists, one demand with its
action panels, the workbench."""
