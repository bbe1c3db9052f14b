"""The numbers of a config: checks of integers and numbers, value lists of 1 to 4 axes, and
the seeded default values.

NumPy is imported only where values are made: what a spec says about shapes (all that
``deconv-anim info`` prints in words) is plain arithmetic, and the command starts faster
without it.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import ConfigError
from .errors import show_value as _show

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MAX_SIDE", "MAX_CELLS", "MAX_VALUE", "is_int", "is_number", "matrix", "tensor",
           "vector", "depth", "default_values", "ones", "Values", "made"]

# No axis of any grid may be longer than this, and no grid may hold more cells: a teaching
# figure is never that large, and huge integers must never reach an allocation.
MAX_SIDE = 4096
MAX_CELLS = 1 << 20
MAX_VALUE = 1e6  # input and weight values, in size


def is_int(value: Any) -> bool:
    """An integer, NumPy's included (they register as numbers.Integral); not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """An integer or a float (NumPy's included), not a bool or a fraction."""
    return is_int(value) or (isinstance(value, numbers.Real)
                             and not isinstance(value, numbers.Rational))


def _check_number(key: str, where: str, value: Any) -> None:
    if not is_number(value):
        raise ConfigError(key, f"{where}must be a number (got {_show(value)})")
    if not is_int(value) and not math.isfinite(value):  # NumPy's float32 included
        raise ConfigError(key, f"{where}must be finite (got {float(value)})")
    if abs(value) > MAX_VALUE:  # sums of products stay exact and finite
        raise ConfigError(key, f"{where}must be at most {MAX_VALUE:g} in size "
                               f"(got {_show(value)})")


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def matrix(key: str, value: Any, where: str = "") -> np.ndarray:
    """A rectangular 2-D list of finite numbers, as a read-only float64 array.

    ``where`` (such as ``"channel 1, "``) starts the messages about one of its cells.
    """
    if not isinstance(value, (list, tuple)) or not value:
        raise ConfigError(key, f"{where}must be a non-empty 2-D list of numbers "
                               f"(got {_show(value)})")
    rows = list(value)
    if not all(isinstance(row, (list, tuple)) for row in rows):
        if all(is_number(v) for v in rows):  # a single row written flat: [1, 2, 3]
            rows = [rows]
        else:
            raise ConfigError(key, f"{where}must be a 2-D list of numbers, one list per row "
                                   f"(got {_show(value)})")
    width = len(rows[0])
    for r, row in enumerate(rows):
        if len(row) != len(rows[0]) or not row:
            raise ConfigError(key, f"{where}rows must all have the same, non-zero length "
                                   f"(row 0 has {width}, row {r} has {len(row)})")
    # the size before the cells: a grid too large is refused without reading its numbers
    if len(rows) > MAX_SIDE or width > MAX_SIDE or len(rows) * width > MAX_CELLS:
        raise ConfigError(key, f"{where}is too large ({len(rows)}x{width}; at most "
                               f"{MAX_CELLS} cells)")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            _check_number(key, f"{where}row {r}, column {c}: ", v)
    import numpy as np

    return _read_only(np.array(rows, dtype=np.float64))


def depth(value: Any) -> int:
    """How many list levels a value has, following first items: 2 for [[1]], 3 for [[[1]]]."""
    levels = 0
    while isinstance(value, (list, tuple)) and value:
        levels += 1
        value = value[0]
    return levels + (1 if isinstance(value, (list, tuple)) else 0)


def tensor(key: str, value: Any, levels: int) -> np.ndarray:
    """A rectangular 3-D or 4-D list of finite numbers, as a read-only float64 array.

    Each 2-D slice is checked like :func:`matrix`; messages name it: ``channel 1, row 0,
    column 2: ...`` for 3-D, ``[1][0] row 0, column 2: ...`` for 4-D.
    """
    import numpy as np

    lead = list(value)
    if levels == 4:
        if not all(isinstance(item, (list, tuple)) and item for item in lead):
            raise ConfigError(key, f"must be a 4-D list, every item a 3-D list "
                                   f"(got {_show(value)})")
        if len(lead) * max(len(item) for item in lead) > MAX_CELLS:
            raise ConfigError(key, f"is too large (more than {MAX_CELLS} values)")
        if any(len(item) != len(lead[0]) for item in lead):
            bad = next(i for i, item in enumerate(lead) if len(item) != len(lead[0]))
            raise ConfigError(key, f"must be rectangular: item 0 holds {len(lead[0])} kernels, "
                                   f"item {bad} holds {len(lead[bad])}")
        slices = [(f"[{a}][{b}] ", m) for a, item in enumerate(lead) for b, m in enumerate(item)]
    else:
        if len(lead) > MAX_SIDE:
            raise ConfigError(key, f"is too large ({len(lead)} channels; at most {MAX_SIDE})")
        slices = [(f"channel {c}, ", m) for c, m in enumerate(lead)]
    arrays = [matrix(key, m, where) for where, m in slices]
    first = arrays[0].shape
    for (where, _), array in zip(slices, arrays, strict=True):
        if array.shape != first:
            name = where.rstrip(", ")
            raise ConfigError(key, f"{name} has shape {array.shape[0]}x{array.shape[1]} but "
                                   f"{slices[0][0].rstrip(', ')} has {first[0]}x{first[1]}")
    if len(arrays) * first[0] * first[1] > MAX_CELLS:
        raise ConfigError(key, f"is too large ({len(arrays) * first[0] * first[1]} values; "
                               f"at most {MAX_CELLS})")
    shape = (len(lead), len(arrays) // len(lead), *first) if levels == 4 else (len(lead), *first)
    return _read_only(np.stack(arrays).reshape(shape))


def vector(key: str, value: Any, length: int, what: str) -> np.ndarray:
    """A list of exactly ``length`` finite numbers (``what`` names the length's source)."""
    if not isinstance(value, (list, tuple)):
        raise ConfigError(key, f"must be a list of {what} numbers, or true for seeded values "
                               f"(got {_show(value)})")
    if len(value) != length:
        raise ConfigError(key, f"has {len(value)} values but {what} is {length}")
    for i, v in enumerate(value):
        _check_number(key, f"value {i}: ", v)
    import numpy as np

    return _read_only(np.array(value, dtype=np.float64))


def default_values(seed: int, shape: tuple[int, ...], stream: int, high: int) -> np.ndarray:
    """The default small-integer pattern: integers in [0, high) from a seeded generator.

    Input, weights and bias use separate streams, so changing one shape never changes the
    others. A shape with a leading 1 draws the same numbers as the shape without it.
    """
    import numpy as np

    rng = np.random.default_rng([seed, stream])
    return _read_only(rng.integers(0, high, size=shape).astype(np.float64))


def ones(shape: tuple[int, ...]) -> np.ndarray:
    """The weights of a pool: ones (they are not multiplied, only shown)."""
    import numpy as np

    return _read_only(np.ones(shape))


@dataclass(frozen=True)
class Values:
    """Values not made yet: ``make(*args)`` makes them (see :attr:`deconv_anim.spec.Spec.input`)."""

    make: Any
    args: tuple


def made(values: Any) -> Any:
    return values.make(*values.args) if isinstance(values, Values) else values
