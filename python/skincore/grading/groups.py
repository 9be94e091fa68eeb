"""The one table of zones and the vendor groups built from them.

Concerns measure per zone (region names of :mod:`skincore.face.regions`, the
subject's left and right). Vendors report some zones pooled into groups (YouCam's
``cheek`` = both cheeks, ``crowfeet`` = both crow's-feet zones ...). Every group
used anywhere (scores, YouCam HD sub-scores and masks, AILab presence fields) is
defined here and nowhere else.
"""

from __future__ import annotations

#: Group name -> the zones it pools.
ZONE_GROUPS: dict[str, tuple[str, ...]] = {
    "forehead": ("forehead",),
    "glabellar": ("glabella",),
    "nose": ("nose",),
    "cheek": ("left_cheek", "right_cheek"),
    "chin": ("chin",),
    "crowfeet": ("left_crows_feet", "right_crows_feet"),
    "periocular": ("left_under_eye", "right_under_eye"),
    "nasolabial": ("left_nasolabial", "right_nasolabial"),
    "marionette": ("left_mouth_corner", "right_mouth_corner"),
    "t_zone": ("t_zone",),
    "u_zone": ("u_zone",),
    "eye_bag": ("left_eye_bag", "right_eye_bag"),
    "tear_trough": ("left_tear_trough", "right_tear_trough"),
}

#: The groups each graded concern reports, besides ``whole``.
CONCERN_GROUPS: dict[str, tuple[str, ...]] = {
    "pores": ("forehead", "nose", "cheek"),
    "wrinkles": ("forehead", "glabellar", "crowfeet", "periocular", "nasolabial", "marionette"),
    "skin_type": ("t_zone", "u_zone"),
    "eye_bags": ("eye_bag", "tear_trough"),
}
