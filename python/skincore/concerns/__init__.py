"""Skin concerns ("heads"): each measures one aspect of the skin from the image,
the face geometry and the region masks, and returns a typed result from
:mod:`skincore.analysis`. Concerns know nothing of vendor formats.
"""
