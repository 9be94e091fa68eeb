"""The concern registry: every concern skincore measures, in run order.

Adding a concern = one module under :mod:`skincore.concerns` with a
``CONCERN`` spec (:class:`~skincore.concerns.base.Concern`), one line here, its
field-table entries in each dialect (:mod:`skincore.dialects`) and its tests.
The "not implemented" lists of the dialects are derived from this registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from skincore.analysis import register_concern_names
from skincore.concerns import (
    acne,
    blackheads,
    dark_circles,
    eye_bags,
    eyelids,
    firmness,
    moisture,
    moles,
    oiliness,
    pigmentation,
    pores,
    radiance,
    redness,
    roughness,
    skin_age,
    skin_type,
    tone,
    wrinkles,
)
from skincore.concerns.base import Concern
from skincore.errors import SkinError

#: Name -> spec, in the order the pipeline runs them.
REGISTRY: dict[str, Concern] = {
    c.name: c
    for c in (
        tone.CONCERN,
        pores.CONCERN,
        blackheads.CONCERN,
        wrinkles.CONCERN,
        roughness.CONCERN,
        dark_circles.CONCERN,
        eye_bags.CONCERN,
        eyelids.CONCERN,
        oiliness.CONCERN,
        skin_type.CONCERN,
        moisture.CONCERN,
        radiance.CONCERN,
        firmness.CONCERN,
        redness.CONCERN,
        pigmentation.CONCERN,
        acne.CONCERN,
        moles.CONCERN,
        skin_age.CONCERN,
    )
}

register_concern_names(REGISTRY)


def select(names: Iterable[str] | None) -> tuple[Concern, ...]:
    """Return the concerns to run, in registry order.

    Parameters
    ----------
    names : iterable of str or None
        Concern names (any order); ``None`` for every registered concern.

    Returns
    -------
    tuple of Concern
        Selected specs in registry order.

    Raises
    ------
    SkinError
        ``invalid_argument`` naming any unknown concern.
    """
    if names is None:
        return tuple(REGISTRY.values())
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    wanted = list(names)
    unknown = [n for n in wanted if not isinstance(n, str) or n not in REGISTRY]
    if unknown:
        raise SkinError(
            "invalid_argument",
            f"unknown concerns {unknown}; known: {list(REGISTRY)}",
            unknown=unknown,
        )
    return tuple(c for name, c in REGISTRY.items() if name in wanted)


def resolve_params(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every concern's parameters: the defaults, with ``overrides`` by name.

    Raises
    ------
    SkinError
        ``invalid_argument`` for an unknown concern or a value that is not an
        instance of that concern's ``Params``.
    """
    out = {name: c.default_params() for name, c in REGISTRY.items()}
    for name, value in (overrides or {}).items():
        spec = REGISTRY.get(name)
        if spec is None:
            raise SkinError("invalid_argument", f"params: unknown concern {name!r}")
        if not isinstance(value, spec.params):
            raise SkinError(
                "invalid_argument",
                f"params[{name!r}]: expected {spec.params.__module__}.Params, "
                f"got {type(value).__name__}",
            )
        out[name] = value
    return out
