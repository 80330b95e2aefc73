"""National identity numbers and the people an institution knows."""
