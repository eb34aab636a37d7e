"""/admin and its sections."""
