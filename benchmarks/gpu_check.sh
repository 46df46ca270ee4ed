#!/usr/bin/env bash
# GPU check of the course: does TensorFlow train the labs on the GPU, and how fast?
#
# The one command, on a Linux machine with an NVIDIA GPU and its driver, in a clone of the
# repository (the install needs the network, or a .venv that already has tensorflow[and-cuda]):
#
#     bash benchmarks/gpu_check.sh --out "${OUT:-.}/gpu_check.txt"
#
# Without --out the figures go to $OUT/gpu_check.txt when OUT is set, else ./gpu_check.txt.
# Within a budget of 8 minutes of wall time (--budget SECONDS):
#   1. install: pip install -e ".[lab,gpu,test]" into .venv (made with python3 -m venv when it
#      is missing; --venv DIR for another; --skip-install to use it as it is);
#   2. setup: keras_setup() as the labs call it, and checks that TensorFlow really runs on the
#      GPU with memory growth and XLA on. Without a GPU: "no GPU", the verdict in the figures
#      file, exit status 2, and nothing else runs;
#   3. bench: benchmarks/gpu_benchmark.py: images per second of the lecture's fit(numpy) and the
#      lab's pipeline, with and without XLA, float32 and mixed precision, side by side;
#   4. labs: notebooks 09 and 08 under nbval in full mode (COURSE_FAST=0), side by side on the
#      GPU (--serial: one after the other), each stopped when the budget runs out; their wall
#      times, cells passed and the accuracies of their results tables.
# Options: --out FILE, --budget S (480), --skip-install, --venv DIR (.venv), --python PY,
#          --serial, --skip-bench, --skip-labs, --allow-cpu (go on without a GPU: to try the
#          script itself on a CPU). Exit status: 0 all passed on the GPU, 2 no GPU, 1 anything
#          else failed or ran out of time (the figures file says which).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

budget=480
skip_install=0
skip_bench=0
skip_labs=0
serial=0
allow_cpu=0
venv=.venv
python=""
if [ -n "${OUT:-}" ]; then fig="$OUT/gpu_check.txt"; else fig="gpu_check.txt"; fi

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) fig="${2:?--out needs a file}"; shift 2 ;;
    --budget) budget="${2:?--budget needs seconds}"; shift 2 ;;
    --skip-install) skip_install=1; shift ;;
    --skip-bench) skip_bench=1; shift ;;
    --skip-labs) skip_labs=1; shift ;;
    --serial) serial=1; shift ;;
    --allow-cpu) allow_cpu=1; shift ;;
    --venv) venv="${2:?--venv needs a folder}"; shift 2 ;;
    --python) python="${2:?--python needs an interpreter}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "gpu_check.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
  esac
done
case "$budget" in ''|*[!0-9]*) echo "gpu_check.sh: --budget must be whole seconds" >&2; exit 64 ;; esac
[ -n "$python" ] || python="$venv/bin/python"

mkdir -p "$(dirname "$fig")" || exit 1
: > "$fig" || exit 1
work="$(mktemp -d)"
pids=()
cleanup() {
  local pid
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "gpu_check.sh: interrupted" >&2; exit 130' INT TERM

note() { echo "$*" | tee -a "$fig"; }
left() { echo $(( budget - SECONDS )); }
status=0

note "GPU check of the course (benchmarks/gpu_check.sh), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
note "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown); host: $(uname -n); budget ${budget} s"
if command -v nvidia-smi >/dev/null; then
  note "nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -n 4 | paste -sd ';' -)"
else
  note "nvidia-smi: not found (no NVIDIA driver on this machine?)"
fi

# 1. install ------------------------------------------------------------------------------
if [ "$skip_install" = 1 ]; then
  note "install: skipped (--skip-install); Python: $python"
else
  t0=$SECONDS
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" || { note "install: FAILED: python3 -m venv $venv"; status=1; }
  fi
  if timeout -k 10 "$(( $(left) * 2 / 5 ))" "$venv/bin/python" -m pip install --quiet \
      --disable-pip-version-check -e ".[lab,gpu,test]"; then
    note "install: pip install -e \".[lab,gpu,test]\" into $venv: ok ($(( SECONDS - t0 )) s)"
  else
    note "install: pip install -e \".[lab,gpu,test]\" into $venv FAILED after $(( SECONDS - t0 )) s (no network?); going on with what is installed"
    status=1
  fi
fi
if [ ! -x "$python" ] && ! command -v "$python" >/dev/null; then
  note "verdict: no GPU: no Python at $python to run TensorFlow (install step above)"
  exit 2
fi

# 2. setup: is the GPU used? -------------------------------------------------------------
timeout -k 10 120 "$python" benchmarks/gpu_benchmark.py setup --out "$fig"
rc=$?
if ! grep -q '^verdict:' "$fig"; then
  note "verdict: no GPU: TensorFlow did not start (exit $rc; see the messages above)"
  rc=2
fi
if [ "$rc" = 2 ] && [ "$allow_cpu" = 1 ]; then
  note "no GPU, going on without one (--allow-cpu): the figures below are not a GPU's"
  rc=1
elif [ "$rc" = 2 ]; then
  note "total: $SECONDS s; stopped: no GPU"
  echo "gpu_check.sh: no GPU: TensorFlow does not use a GPU here (see $fig)" >&2
  exit 2
fi
[ "$rc" = 0 ] || status=1

# 3. the training variants side by side ----------------------------------------------------
if [ "$skip_bench" = 1 ]; then
  note "bench: skipped (--skip-bench)"
else
  limit=$(( $(left) / 3 ))
  [ "$limit" -le 180 ] || limit=180
  if [ "$limit" -lt 30 ]; then
    note "bench: skipped: only $(left) s of the budget left"; status=1
  else
    require=(--require-gpu)
    [ "$allow_cpu" = 0 ] || require=(--allow-cpu)
    timeout -k 10 "$limit" "$python" benchmarks/gpu_benchmark.py bench "${require[@]}" \
      --rounds 2 --epochs 2 --out "$fig"
    rc=$?
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
      note "bench: TIMED OUT after $limit s"; status=1
    elif [ "$rc" != 0 ]; then
      note "bench: FAILED (exit $rc; see the messages above)"; status=1
    fi
  fi
fi

# 4. labs 09 and 08 in full mode under nbval -----------------------------------------------
run_lab() {  # notebook, limit in seconds, part file
  local log="$3.log"
  timeout -k 20 "$(( $2 + 30 ))" "$python" benchmarks/gpu_benchmark.py lab "$1" \
    --timeout "$2" --out "$3" > "$log" 2>&1
  echo $? > "$3.rc"
}
if [ "$skip_labs" = 1 ]; then
  note "labs: skipped (--skip-labs)"
else
  labs=(notebooks/09_training_deep_networks.ipynb notebooks/08_optimizer_lab.ipynb)
  if [ "$serial" = 1 ]; then
    note "labs: one after the other"
    for nb in "${labs[@]}"; do
      limit=$(( $(left) - 45 ))
      part="$work/$(basename "$nb" .ipynb)"
      if [ "$limit" -lt 30 ]; then
        echo "== $(basename "$nb"): skipped: only $(left) s of the budget left" > "$part"
        echo 1 > "$part.rc"
      else
        run_lab "$nb" "$limit" "$part"
      fi
    done
  else
    limit=$(( $(left) - 45 ))
    note "labs: side by side on the GPU (their times overlap), each limited to ${limit} s"
    for nb in "${labs[@]}"; do
      part="$work/$(basename "$nb" .ipynb)"
      if [ "$limit" -lt 30 ]; then
        echo "== $(basename "$nb"): skipped: only $(left) s of the budget left" > "$part"
        echo 1 > "$part.rc"
      else
        run_lab "$nb" "$limit" "$part" &
        pids+=("$!")
      fi
    done
    for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid"; done
    pids=()
  fi
  for nb in "${labs[@]}"; do
    part="$work/$(basename "$nb" .ipynb)"
    [ -f "$part.log" ] && { echo "---- output of $(basename "$nb")"; tail -n 40 "$part.log"; }
    if [ -s "$part" ]; then
      cat "$part" >> "$fig"
    else
      note "== $(basename "$nb"): killed without a summary (exit $(cat "$part.rc" 2>/dev/null))"
    fi
    [ "$(cat "$part.rc" 2>/dev/null)" = 0 ] || status=1
  done
fi

if [ "$status" = 0 ]; then result="OK"; else result="FAILED (see above)"; fi
note "total: $SECONDS s of the ${budget} s budget; result: $result"
echo "figures: $fig"
exit "$status"
