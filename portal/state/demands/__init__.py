"""States of the demand pages: the form, lists and queues, one demand and the actions on it, the workbench."""
