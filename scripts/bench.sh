#!/usr/bin/env bash
# Benchmark `ctrlmap check` (and `ctrlmap diff`) on portfolios of 1,000 and 10,000 client scopes, with
# wall time and peak memory, on two portfolios of each size: one made of plain copies of the
# example's own scope files (only the id changes), so the figure cannot depend on a generator's
# choices, and one from `gen-portfolio` (varied profiles, per-client evidence). Each is measured
# against two reference points in the same run:
#   - the floor: a parse-only pass over the same files (the `parse-only` example: read and
#     parse every byte once with the same YAML parser, on every core, and nothing else);
#   - check-jsonschema (PyPI), validating the same scope files against the same schema: a
#     peer that does only a fraction of our work.
#   - the floor with packages: the same, but each scope file parsed together with the package
#     files it names (`parse-only --with-packages`), once per scope: the text `check` decides
#     each client from. Not the same work as the portfolio written without packages: `check`
#     validates and types a package's entries once, not once per client.
# A third portfolio, `expanded`, is the copies written without packages (`expand-packages`:
# every scope states every decision itself, as the example's scopes did before packages), so
# the floor is again the literal parse of the scope files `check` reads; the bench checks that
# every client keeps its owners per control (the counts of `check`'s summary) through the
# rewrite.
# The ratio printed is check ÷ floor (target: at most 2), against each floor.
# Then a command about one scope (`ctrlmap matrix` of one client) in a 10-scope workspace and
# in each N-scope one: its cost must not grow with the portfolio (target: within 1.5×).
# Then `ctrlmap diff` of the generated portfolio against a changed copy of it (every tenth client moved
# one control from client to MSP, one client left, one joined): wall time and peak memory
# (target: under 200 MB at 10,000 scopes; the scopes are streamed through in batches).
# Then the linear-cost cases of issue 11, each a single workspace that once took tens of
# seconds: one scope with 40,000 unknown control references (every one reported), and a 15 MB
# scope of repeated entries (assessed). Target: each under 2 s on 2 cores.
# Then `ctrlmap pack verify` on hostile packs (issue 21): a zip bomb of 10,000 entries sharing
# one deflated body of 400 MiB, the genuine pack with one entry that inflates to 400 MiB while
# claiming its genuine size, and a forged duplicate entry. Target: each fails within 2 s and
# 100 MB.
# Usage: scripts/bench.sh [N ...]   (default: 1000 10000, then the linear-cost and pack cases)
#        scripts/bench.sh single    only `matrix` of one scope in 10 and 10,000-scope workspaces
#        scripts/bench.sh linear    only the linear-cost cases
#        scripts/bench.sh pack      only the hostile-pack cases
#   RUNS=5 scripts/bench.sh         more runs per figure (default 3; the median is printed)
#   SKIP_CHECK_JSONSCHEMA=1         leave out the slow peer (minutes per 1,000 scopes)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
linear=1
packs=1
single_only=0
if [ "${1:-}" = single ]; then
  sizes=(10000)
  single_only=1
  linear=0
  packs=0
elif [ "${1:-}" = linear ]; then
  sizes=()
  packs=0
elif [ "${1:-}" = pack ]; then
  sizes=()
  linear=0
elif [ ${#sizes[@]} -gt 0 ]; then
  linear=0
  packs=0
else
  sizes=(1000 10000)
fi

cargo build --release --quiet
[ ${#sizes[@]} -eq 0 ] || cargo build --release --quiet --example gen-portfolio --example parse-only --example expand-packages
if [ ${#sizes[@]} -gt 0 ] && [ "$single_only" = 0 ] && ! command -v check-jsonschema >/dev/null 2>&1; then
  pip install --quiet check-jsonschema >/dev/null 2>&1 || echo "(check-jsonschema unavailable: skipping that reference point)"
fi

measure() { # one run of the command: prints "seconds peak_kb" (wall time to the millisecond)
  local out start end
  out=$(mktemp)
  start=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$out" "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  printf '%.3f %s\n' "$(echo "($end - $start) / 1000000000" | bc -l)" "$(tail -n 1 "$out")"
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

changed_copy() { # a copy of portfolio $1 at $2 where every tenth client moved one control from
  # client to MSP, the first client left and a new one joined: what `ctrlmap diff` compares
  rm -rf "$2"
  cp -r "$1" "$2"
  local i=0 f files
  files=("$2"/scopes/*.yaml)
  for f in "${files[@]}"; do
    [ $((i % 10)) -ne 0 ] || sed -i '0,/responsible: client/s//responsible: msp/' "$f"
    i=$((i + 1))
  done
  sed 's/^id: \(.*\)$/id: \1-joined/' "${files[-1]}" > "$2/scopes/zz-joined.yaml"
  rm "${files[0]}"
}

example_copies() { # a workspace at $2 of $1 client scopes that are the example's own scope
  # files, copied in turn, each with its id (and file name) made unique and nothing else changed
  rm -rf "$2"
  mkdir -p "$2"
  cp -r examples/northwind-msp/. "$2"/
  rm -rf "$2/scopes"
  mkdir "$2/scopes"
  awk -v n="$1" -v out="$2/scopes" '
    FNR == 1 { files++; name[files] = FILENAME; lines[files] = 0 }
    { lines[files]++; text[files, lines[files]] = $0 }
    END {
      for (i = 0; i < n; i++) {
        f = i % files + 1
        base = name[f]; sub(/.*\//, "", base); sub(/\.yaml$/, "", base)
        file = sprintf("%s/c%05d-%s.yaml", out, i, base)
        for (l = 1; l <= lines[f]; l++) {
          line = text[f, l]
          if (line ~ /^id: /) line = sprintf("id: c%05d-%s", i, base)
          print line > file
        }
        close(file)
      }
    }' examples/northwind-msp/scopes/*.yaml
}

same_owners() { # every client of $2 has the same number of controls per owner as in $1
  # (`check`'s summary); a difference means the rewrite without packages changed a decision
  if ! command -v python3 >/dev/null 2>&1; then
    echo "(python3 unavailable: the expanded portfolio's owners are not compared with the copies')"
    return 0
  fi
  python3 - "$1" "$2" <<'PY' || { echo "expand-packages changed a client's owners: the expanded figures do not compare" >&2; exit 1; }
import json, subprocess, sys
def owners(d):
    out = subprocess.run(["./target/release/ctrlmap", "check", d, "--format", "json", "--fail-on", "none",
                          "--as-of", "2026-11-30"], capture_output=True, text=True, check=True).stdout
    return {s["scope"]: s["controls"] for s in json.loads(out)["scopes"]}
a, b = owners(sys.argv[1]), owners(sys.argv[2])
sys.exit(0 if a == b and a else 1)
PY
}

one_scope() { # `ctrlmap matrix` of the client in the middle of the workspace $1 (the command
  # finds its file among all the others): prints "seconds peak_kb"
  local files one
  files=("$1"/scopes/*.yaml)
  one=${files[$((${#files[@]} / 2))]}
  if ! ./target/release/ctrlmap matrix "$one" --format json >/dev/null; then
    echo "ctrlmap matrix $one failed" >&2
    exit 1
  fi
  median ./target/release/ctrlmap matrix "$one" --format json
}

ratio() { echo "$1/($2+0.0001)" | bc -l; }
mb() { echo "$1/1024" | bc -l; }

runs=${RUNS:-3}
echo "median of $runs runs (check-jsonschema: one run); $(nproc) cores"
[ ${#sizes[@]} -eq 0 ] || printf '%-8s %-10s %-30s %10s %12s %8s\n' scopes portfolio tool seconds "peak MB" ratio
for n in "${sizes[@]}"; do
  base=$(mktemp -d)
  example_copies "$n" "$base/copies"
  ./target/release/examples/gen-portfolio "$n" "$base/generated" >/dev/null
  example_copies 10 "$base/copies-10"
  ./target/release/examples/gen-portfolio 10 "$base/generated-10" >/dev/null
  kinds=(copies generated)
  if [ "$single_only" = 0 ]; then
    cp -r "$base/copies" "$base/expanded"
    ./target/release/examples/expand-packages "$base/expanded" >/dev/null
    same_owners "$base/copies" "$base/expanded"
    kinds+=(expanded)
  fi
  for kind in "${kinds[@]}"; do
    dir=$base/$kind
    if [ "$single_only" = 0 ]; then
      read -r t_check m_check < <(median ./target/release/ctrlmap check "$dir" --fail-on none --format json --as-of 2026-11-30)
      read -r t_parse m_parse < <(median ./target/release/examples/parse-only "$dir")
      printf '%-8s %-10s %-30s %10s %12.1f %8s\n' "$n" "$kind" "ctrlmap check" "$t_check" "$(mb "$m_check")" ""
      printf '%-8s %-10s %-30s %10s %12.1f %8.2f\n' "$n" "$kind" "parse-only floor (check ÷ it)" "$t_parse" "$(mb "$m_parse")" "$(ratio "$t_check" "$t_parse")"
      if [ "$kind" = expanded ]; then
        # How much of the time beyond the floor is ctrlmap's own positioned tree, the first
        # step of loading each file.
        read -r t_tree m_tree < <(median ./target/release/examples/parse-only --tree "$dir")
        printf '%-8s %-10s %-30s %10s %12.1f %8.2f\n' "$n" "$kind" "ctrlmap's YAML tree (÷ floor)" "$t_tree" "$(mb "$m_tree")" "$(ratio "$t_tree" "$t_parse")"
      fi
      if [ "$kind" != expanded ]; then
        read -r t_inl m_inl < <(median ./target/release/examples/parse-only --with-packages "$dir")
        printf '%-8s %-10s %-30s %10s %12.1f %8.2f\n' "$n" "$kind" "floor with packages (÷ it)" "$t_inl" "$(mb "$m_inl")" "$(ratio "$t_check" "$t_inl")"
      fi
    fi
    [ "$kind" != expanded ] || continue
    read -r t_small m_small < <(one_scope "$base/$kind-10")
    read -r t_one m_one < <(one_scope "$dir")
    printf '%-8s %-10s %-30s %10s %12.1f %8s\n' 10 "$kind" "matrix of one scope" "$t_small" "$(mb "$m_small")" ""
    printf '%-8s %-10s %-30s %10s %12.1f %8.2f\n' "$n" "$kind" "matrix of one scope (÷ at 10)" "$t_one" "$(mb "$m_one")" "$(ratio "$t_one" "$t_small")"
  done
  dir=$base/generated
  if [ "$single_only" = 0 ]; then
    changed_copy "$dir" "$dir-changed"
    read -r t_diff m_diff < <(median ./target/release/ctrlmap diff "$dir" "$dir-changed" --format json --as-of 2026-11-30)
    printf '%-8s %-10s %-30s %10s %12.1f %8s\n' "$n" generated "ctrlmap diff" "$t_diff" "$(mb "$m_diff")" ""
    if command -v check-jsonschema >/dev/null 2>&1 && [ -z "${SKIP_CHECK_JSONSCHEMA:-}" ]; then
      read -r t_cj m_cj < <(measure check-jsonschema --base-uri "file://$PWD/schemas/scope.schema.json" --schemafile schemas/scope.schema.json "$dir"/scopes/*.yaml)
      printf '%-8s %-10s %-30s %10s %12.1f %8s\n' "$n" generated "check-jsonschema" "$t_cj" "$(mb "$m_cj")" ""
    fi
  fi
  rm -rf "$base"
done

# ---- Linear cost: one file that is large in entries or in errors.
if [ "$linear" = 1 ]; then
  dir=$(mktemp -d)
  head='kind: scope\nid: big\nclient: { name: Big Client, profile: { hipaa: covered-entity } }\nprovider: { name: Northwind Managed IT }\nmodel: co-managed\nsla: { incident_notification: 24h }\nassignments:\n'
  mkdir -p "$dir/unknown/scopes" "$dir/repeated/scopes" "$dir/evidence/scopes"
  # 40,000 distinct unknown control references: 40,000 E009 diagnostics, all reported.
  { printf "$head"; awk 'BEGIN { for (i = 0; i < 40000; i++) printf "  - control: hipaa:164.308(a)(1)(ii)(Z%d)\n    responsible: msp\n", i }'; } \
    > "$dir/unknown/scopes/big.yaml"
  # 15 MB of the same assignment, repeated: one scope, assessed.
  { printf "$head"; awk 'BEGIN { e = "  - control: hipaa:164.308(a)(1)(ii)(A)\n    responsible: msp\n    msp: Run the annual risk analysis.\n"; n = int((15 * 1024 * 1024 - 300) / length(e)); for (i = 0; i < n; i++) printf "%s", e }'; } \
    > "$dir/repeated/scopes/big.yaml"
  # 150,000 evidence entries naming files that do not exist: 150,000 findings, each located.
  { printf "$head" | sed '$d'; printf 'evidence:\n'; awk 'BEGIN { for (i = 0; i < 150000; i++) printf "  - { file: evidence/e%d.pdf, controls: [\"hipaa:164.308(a)(1)(ii)(A)\"], owner: msp, effective: 2026-01-01 }\n", i }'; } \
    > "$dir/evidence/scopes/big.yaml"
  printf '\n%-44s %12s %10s %12s\n' "linear cost (one scope file)" "file MB" seconds "peak MB"
  for case in unknown repeated evidence; do
    read -r t m < <(median ./target/release/ctrlmap check "$dir/$case" --format json --as-of 2026-11-30)
    case $case in
      unknown) label="40,000 unknown control references" ;;
      repeated) label="15 MB of repeated entries" ;;
      *) label="150,000 evidence entries, files missing" ;;
    esac
    printf '%-44s %12.1f %10s %12.1f\n' "$label" "$(echo "$(stat -c %s "$dir/$case/scopes/big.yaml")/1048576" | bc -l)" "$t" "$(echo "$m/1024" | bc -l)"
  done
  rm -rf "$dir"
fi

# ---- Hostile packs: each must fail (exit 1) within 2 s and 100 MB.
if [ "$packs" = 1 ]; then
  cargo build --release --quiet --example hostile-pack
  dir=$(mktemp -d)
  ./target/release/ctrlmap pack examples/northwind-msp/scopes/riverside-dental.yaml -o "$dir/pack" --zip --as-of 2026-11-30 >/dev/null
  ./target/release/examples/hostile-pack "$dir/pack.zip" "$dir"
  printf '\n%-56s %8s %6s %10s %12s\n' "pack verify on a hostile zip" "zip MB" exit seconds "peak MB"
  for case in bomb overrun forged; do
    code=0
    ./target/release/ctrlmap pack verify "$dir/$case.zip" >/dev/null 2>&1 || code=$?
    read -r t m < <(median ./target/release/ctrlmap pack verify "$dir/$case.zip")
    case $case in
      bomb) label="10,000 entries sharing a 400 MiB body" ;;
      overrun) label="one entry inflating to 400 MiB, genuine size claimed" ;;
      *) label="a forged index.html before the genuine one" ;;
    esac
    printf '%-56s %8.1f %6s %10s %12.1f\n' "$label" "$(echo "$(stat -c %s "$dir/$case.zip")/1048576" | bc -l)" "$code" "$t" "$(echo "$m/1024" | bc -l)"
  done
  rm -rf "$dir"
fi
