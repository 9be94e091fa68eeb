"""Safe output files for the command line: check the destination first, write atomically.

- :func:`prepare_out_dir` runs *before* the analysis: it creates the folder and
  proves a file can be created in it, so a bad ``--out`` fails in a second with a
  clear ``SkinError("invalid_argument")`` instead of after the whole analysis.
- :func:`write_atomic` never follows a link already in the folder: the data goes to
  a new temporary file (``O_CREAT | O_EXCL``, so not through any existing name) and
  is renamed over the final name; a symlink ``regions.png -> /elsewhere`` is
  replaced by a regular file, its target is left untouched. A reader never sees a
  half-written file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from skincore.errors import SkinError

#: Prefix of the temporary files (hidden, so a crash leaves no look-alike result).
TMP_PREFIX = ".skincore-"


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def prepare_out_dir(path: str | os.PathLike) -> Path:
    """Create the output folder if needed and check that files can be written in it.

    Parameters
    ----------
    path : str or os.PathLike
        The ``--out`` folder.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    SkinError
        ``invalid_argument`` when the path exists and is not a folder, cannot be
        created (permissions, a name over the file system's limit, a file as a
        parent ...), or refuses a new file.
    """
    try:
        out = Path(path)
        if out.exists() and not out.is_dir():
            raise SkinError("invalid_argument", f"--out {str(out)!r} exists and is not a folder")
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=TMP_PREFIX, dir=out)
        os.close(fd)
        os.unlink(probe)
    except SkinError:
        raise
    except (OSError, ValueError) as exc:
        why = _why(exc) if isinstance(exc, OSError) else str(exc)
        raise SkinError(
            "invalid_argument", f"cannot write into --out {str(path)!r}: {why}", argument="out"
        ) from None
    return out


def write_atomic(folder: Path, name: str, data: bytes | str) -> Path:
    """Write ``folder / name`` through a temporary file and a rename.

    Parameters
    ----------
    folder : Path
        An existing folder (see :func:`prepare_out_dir`).
    name : str
        A plain file name (no separator).
    data : bytes or str
        Content; ``str`` is written as UTF-8.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    SkinError
        ``internal_error`` naming the file when writing fails (disk full, folder
        removed meanwhile ...); the temporary file is removed.
    """
    if not name or os.sep in name or name in (".", ".."):
        raise ValueError(f"name must be a plain file name, got {name!r}")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    final = folder / name
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # as open() would create it
        os.replace(tmp, final)  # replaces a link itself, never writes through it
        tmp = None
    except OSError as exc:
        raise SkinError(
            "internal_error", f"cannot write {str(final)!r}: {_why(exc)}", path=str(final)
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return final
