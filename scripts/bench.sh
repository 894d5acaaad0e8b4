#!/usr/bin/env bash
# Benchmark `ctrlmap check` on generated portfolios of 1,000 and 10,000 client scopes, with
# wall time and peak memory, against two reference points measured in the same run:
#   - the floor: a parse-only pass over the same files (the `parse-only` example: read and
#     parse every byte once with the same YAML parser, on every core, and nothing else);
#   - check-jsonschema (PyPI), validating the same scope files against the same schema: a
#     peer that does only a fraction of our work.
# Usage: scripts/bench.sh [N ...]   (default: 1000 10000)
#   RUNS=5 scripts/bench.sh         more runs per figure (default 3; the median is printed)
#   SKIP_CHECK_JSONSCHEMA=1         leave out the slow peer (minutes per 1,000 scopes)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)

cargo build --release --quiet
cargo build --release --quiet --example gen-portfolio --example parse-only
if ! command -v check-jsonschema >/dev/null 2>&1; then
  pip install --quiet check-jsonschema >/dev/null 2>&1 || echo "(check-jsonschema unavailable: skipping that reference point)"
fi

measure() { # one run of the command: prints "seconds peak_kb"
  local out
  out=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$out"
  rm -f "$out"
}

median() { # RUNS runs of the command: prints "median_seconds max_peak_kb" (a shared or busy
  # machine varies from run to run; the median of several is the figure to record)
  local times=() peak=0 t m
  for _ in $(seq "$runs"); do
    read -r t m < <(measure "$@")
    times+=("$t")
    [ "$m" -gt "$peak" ] && peak=$m
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v peak="$peak" '{a[NR]=$1} END {print a[int((NR+1)/2)], peak}'
}

runs=${RUNS:-3}
echo "median of $runs runs (check-jsonschema: one run); $(nproc) cores"
printf '%-8s %-22s %10s %12s %10s\n' scopes tool seconds "peak MB" ratio
for n in "${sizes[@]}"; do
  dir=$(mktemp -d)/portfolio
  ./target/release/examples/gen-portfolio "$n" "$dir" >/dev/null
  read -r t_check m_check < <(median ./target/release/ctrlmap check "$dir" --fail-on none --format json --as-of 2026-11-30)
  read -r t_parse m_parse < <(median ./target/release/examples/parse-only "$dir")
  printf '%-8s %-22s %10s %12.1f %10s\n' "$n" "ctrlmap check" "$t_check" "$(echo "$m_check/1024" | bc -l)" "1.00"
  printf '%-8s %-22s %10s %12.1f %10.2f\n' "$n" "parse-only floor" "$t_parse" "$(echo "$m_parse/1024" | bc -l)" "$(echo "$t_parse/($t_check+0.0001)" | bc -l)"
  if command -v check-jsonschema >/dev/null 2>&1 && [ -z "${SKIP_CHECK_JSONSCHEMA:-}" ]; then
    read -r t_cj m_cj < <(measure check-jsonschema --schemafile schemas/scope.schema.json "$dir"/scopes/*.yaml)
    printf '%-8s %-22s %10s %12.1f %10.2f\n' "$n" "check-jsonschema" "$t_cj" "$(echo "$m_cj/1024" | bc -l)" "$(echo "$t_cj/($t_check+0.0001)" | bc -l)"
  fi
  rm -rf "$(dirname "$dir")"
done
