"""The episode of care as a whole: open, update, discharge, red-flag review, what is due."""
