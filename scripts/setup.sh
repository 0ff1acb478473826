#!/usr/bin/env bash
# Sets up everything the project needs on a fresh Debian machine, offline beyond
# the package registries: system packages, a venv, the CPU torch wheel,
# llama-cpp-python built with explicit CPU flags, the project, the bundled models and the
# pinned dataset files (knowledge/datasets.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

if [ "${SKIP_APT:-0}" != 1 ] && { ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; }; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
fi

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP="$VENV/bin/pip --disable-pip-version-check -q"
$PIP install -U "pip>=24" wheel
# The CPU wheel lies on this machine's disk; an unpinned torch pulls a CUDA build.
$PIP install "torch==2.13.0"

# llama-cpp-python: GGML_NATIVE=ON compiles AMX code that dies with SIGILL on VMs that
# advertise but forbid AMX. Build with explicit flags for what this CPU has, and keep the wheel
# in a cache keyed by those flags (pip's own wheel cache ignores CMAKE_ARGS, so a wheel built
# for another CPU could be reused and crash with SIGILL).
has() { grep -qw "$1" /proc/cpuinfo; }
FLAGS="-DGGML_NATIVE=OFF"
has avx && FLAGS="$FLAGS -DGGML_AVX=ON"
has avx2 && FLAGS="$FLAGS -DGGML_AVX2=ON"
has fma && FLAGS="$FLAGS -DGGML_FMA=ON"
has f16c && FLAGS="$FLAGS -DGGML_F16C=ON"
has bmi2 && FLAGS="$FLAGS -DGGML_BMI2=ON"
if has avx512f; then
  FLAGS="$FLAGS -DGGML_AVX512=ON"
  has avx512_vbmi && FLAGS="$FLAGS -DGGML_AVX512_VBMI=ON"
  has avx512_vnni && FLAGS="$FLAGS -DGGML_AVX512_VNNI=ON"
  has avx512_bf16 && FLAGS="$FLAGS -DGGML_AVX512_BF16=ON"
fi
LLAMA_VERSION=0.3.36
KEY=$(printf '%s %s' "$LLAMA_VERSION" "$FLAGS" | sha256sum | cut -c1-16)
WHEELS="${ADVISOR_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/advisor-wheels}/llama-$KEY"
if [ "$(cat "$VENV/.llama-build" 2>/dev/null)" != "$KEY" ]; then
  if ! ls "$WHEELS"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    echo "building llama-cpp-python $LLAMA_VERSION (6-10 minutes on 2 cores) with: $FLAGS"
    mkdir -p "$WHEELS"
    CMAKE_ARGS="$FLAGS" $PIP wheel --no-cache-dir --no-deps -w "$WHEELS" "llama-cpp-python==$LLAMA_VERSION"
  fi
  $PIP install --force-reinstall --no-deps "$WHEELS"/llama_cpp_python-*.whl
  $PIP install "llama-cpp-python[server]==$LLAMA_VERSION"
  echo "$KEY" > "$VENV/.llama-build"
fi

$PIP install -e ".[rag,ui,dev]"
"$VENV/bin/python" -m advisor.sources.bundled ${MODELS:-default}
# LiteLLM's model map, as data only: a pinned wheel, hash-checked, never installed or imported
"$VENV/bin/python" -m advisor.sources.datasets fetch
echo "setup done: $VENV"
