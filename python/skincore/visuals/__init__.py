"""Pictures a person can check: region overlays (more maps and overlays to come)."""
