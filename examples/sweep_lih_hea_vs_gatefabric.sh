#!/bin/sh
# Depth sweep on LiH/STO-3G (frozen core, 10 qubits): hardware-efficient ansatz against GateFabric at
# equal parameter counts. Writes lih_sweep.csv, lih_sweep.svg and a resumable lih_sweep.jsonl (run it
# again after an interruption and it continues where it stopped).
# Usage: examples/sweep_lih_hea_vs_gatefabric.sh [path/to/vqe]
set -eu
VQE=${1:-build/src/cli/vqe}
cd "$(dirname "$0")/.."
resume=""
[ -s lih_sweep.jsonl ] && resume="--resume"
"$VQE" sweep molecules/lih.xyz --frozen-core auto \
  --ansatz hea,gatefabric --layers 1:4 --warm-start --plateau-samples 32 \
  --output lih_sweep.jsonl $resume --csv lih_sweep.csv --plot lih_sweep.svg
