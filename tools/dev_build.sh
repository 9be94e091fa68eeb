#!/usr/bin/env bash
# Fast development build: compiles _core into python/skincore/ so that
#   PYTHONPATH=python python -m pytest
# runs against the working tree without reinstalling. Pass SANITIZE=1 for an
# ASan/UBSan build (then run Python with LD_PRELOAD="$(gcc -print-file-name=libasan.so)").
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
dir=build/dev
flags=()
if [ "${SANITIZE:-0}" = 1 ]; then dir=build/asan; flags=(-DSKINCORE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo); fi
cmake -S . -B "$dir" -G Ninja -DSKINCORE_DEV_OUTPUT=ON \
  -Dpybind11_DIR="$("$PY" -m pybind11 --cmakedir)" -DPython_EXECUTABLE="$(command -v "$PY")" "${flags[@]}" >/dev/null
# Both build dirs write the same python/skincore/_core*.so: remove it so the
# chosen build always relinks it.
rm -f python/skincore/_core*.so
cmake --build "$dir"
