#!/usr/bin/env bash
# Builds orc-bench (the core benchmark's workloads against LLVM's C++ ORC) and prints the binary's path.
# Needs g++ and LLVM 15's headers and libraries (Debian: apt-get install llvm-15-dev); LLVM_CONFIG=... picks
# another llvm-config. Rebuilds only when the source or the compiler settings changed. Exit status 1, with the
# reason on stderr, when LLVM's development files are missing or the build fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"

llvm_config="${LLVM_CONFIG:-}"
if [ -z "$llvm_config" ]; then
  for c in llvm-config-15 /usr/lib/llvm-15/bin/llvm-config; do
    if command -v "$c" >/dev/null 2>&1; then llvm_config="$c"; break; fi
  done
fi
[ -n "$llvm_config" ] || { echo "llvm-config-15 not found (apt-get install llvm-15-dev)" >&2; exit 1; }
command -v g++ >/dev/null 2>&1 || { echo "g++ not found" >&2; exit 1; }

version="$("$llvm_config" --version)"
includedir="$("$llvm_config" --includedir)"
libdir="$("$llvm_config" --libdir)"
[ -f "$includedir/llvm/ExecutionEngine/Orc/Core.h" ] || { echo "LLVM $version: ORC headers missing under $includedir (apt-get install llvm-15-dev)" >&2; exit 1; }

out_dir="${ORC_BENCH_BUILD_DIR:-$root/node_modules/.cache/orc-ts-core-bench}"
mkdir -p "$out_dir"
bin="$out_dir/orc-bench-llvm$version"
flags="-std=c++17 -O2 -DNDEBUG $("$llvm_config" --cppflags)"
libs="-L$libdir -Wl,-rpath,$libdir $("$llvm_config" --libs orcjit support) $("$llvm_config" --system-libs)"
stamp="$bin.cmd"
cmd="g++ $flags $here/orc-bench.cpp -o $bin $libs"
if [ ! -x "$bin" ] || [ "$here/orc-bench.cpp" -nt "$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$cmd" ]; then
  # shellcheck disable=SC2086
  if ! g++ $flags "$here/orc-bench.cpp" -o "$bin.tmp" $libs 2>"$bin.log"; then
    tail -n 20 "$bin.log" >&2
    echo "orc-bench: build against LLVM $version failed (full log: $bin.log)" >&2
    exit 1
  fi
  mv "$bin.tmp" "$bin"
  printf '%s' "$cmd" >"$stamp"
fi
echo "$bin"
