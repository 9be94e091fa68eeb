"""Skin concerns ("heads"), each measuring one aspect of the skin.

A concern reads the image, the face geometry and the region masks and returns a
typed result from :mod:`skincore.analysis`. Concerns know nothing of vendor formats.
"""
