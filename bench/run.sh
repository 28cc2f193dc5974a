#!/usr/bin/env bash
# Times the tool against the plain tools a team would use instead (git
# commit of a markdown file, ripgrep over the records), side by side, on
# repositories from examples/generate.rs. Prints a table of medians and
# ratios. The data is generated once and kept in $BENCH_DATA.
#
#   bench/run.sh            # 1,000 and 10,000 incidents, 1,000 and 10,000 entries
#   SIZES=1000 bench/run.sh # a quicker run
#   GROWTH=100 bench/run.sh # fewer notes for the repository-growth measure
set -euo pipefail
project=$(cd "$(dirname "$0")/.." && pwd)
data=${BENCH_DATA:-$project/target/bench-data}
sizes=${SIZES:-"1000 10000"}
runs=${RUNS:-10}

need() {
  command -v "$1" >/dev/null && return
  echo "installing $2 from Debian's packages" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q "$2" >/dev/null; else sudo apt-get install -y -q "$2" >/dev/null; fi
}
need hyperfine hyperfine
need rg ripgrep

cargo build --release --quiet --bin incident --example generate
bin=$project/target/release/incident
generate=$project/target/release/examples/generate
mkdir -p "$data"
export TZ=UTC GIT_AUTHOR_NAME="Bench Mark" GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME="Bench Mark" GIT_COMMITTER_EMAIL=bench@example.com

results=$(mktemp)
trap 'rm -f "$results"' EXIT

# Times two commands side by side; appends "measure | a | b | ratio".
pair() {
  local name=$1 dir=$2 ours=$3 theirs=$4 json
  json=$(mktemp)
  (cd "$dir" && hyperfine -N --warmup 2 --runs "$runs" --export-json "$json" \
    --style none "$ours" "$theirs" >/dev/null)
  python3 - "$name" "$json" >>"$results" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))["results"]
a, b = r[0]["median"] * 1000, r[1]["median"] * 1000
print(f"| {name} | {a:.0f} ms | {b:.0f} ms | {a / b:.2f} |")
PY
  rm -f "$json"
}

# One command alone; appends "measure | a | | ".
alone() {
  local name=$1 dir=$2 ours=$3 json
  json=$(mktemp)
  (cd "$dir" && hyperfine -N --warmup 2 --runs "$runs" --export-json "$json" \
    --style none "$ours" >/dev/null)
  python3 - "$name" "$json" >>"$results" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))["results"]
print(f"| {name} | {r[0]['median'] * 1000:.0f} ms | | |")
PY
  rm -f "$json"
}

# .git's growth over $GROWTH (default 1,000) notes made one after another,
# measured once the background `git gc --auto` has finished, and its peak
# (sampled every 100 notes) while loose objects wait to be packed.
growth() {
  local n=$1 repo=$2 active=$3 count=${GROWTH:-1000} before after size peak loose
  # (du may meet a folder the background packing is deleting.)
  before=$( (du -sk "$repo/.git" 2>/dev/null || true) | cut -f1)
  peak=$before
  for i in $(seq 1 "$count"); do
    (cd "$repo" && "$bin" note -i "$active" "Update $i: error rate at $((i % 7))%" >/dev/null 2>&1)
    if ((i % 100 == 0)); then
      size=$( (du -sk "$repo/.git" 2>/dev/null || true) | cut -f1)
      ((size > peak)) && peak=$size
    fi
  done
  while pgrep -f "git (-c [^ ]+ )?(gc|repack|maintenance)" >/dev/null; do sleep 1; done
  after=$( (du -sk "$repo/.git" 2>/dev/null || true) | cut -f1)
  loose=$(git -C "$repo" count-objects | cut -d' ' -f1)
  echo "| .git growth over $count notes, $n incidents | $(((after - before) / 1024)) MB (peak $(((peak - before) / 1024)) MB, $loose loose objects left) | | |" >>"$results"
}

for n in $sizes; do
  repo=$data/$n
  if [ ! -f "$repo.ids" ]; then
    rm -rf "$repo"
    "$generate" "$repo" --incidents "$n" --big-timeline "$n" > "$repo.ids.tmp"
    mv "$repo.ids.tmp" "$repo.ids"
  fi
  active=$(sed -n 's/^active //p' "$repo.ids")
  big=$(sed -n 's/^big //p' "$repo.ids")
  files=$(cd "$repo" && ls incidents/*/incident.md | wc -l)
  start=$(git -C "$repo" rev-parse HEAD)
  # A scratch file beside the records for the plain-git pair.
  touch "$repo/notes.md"
  pair "note, $n incidents" "$repo" \
    "$bin note -i $active 'Error rate back under 1% after the rollback'" \
    "sh -c 'printf \"Error rate back under 1%%\\n\" >> notes.md && git add notes.md && git commit -q -m note'"
  pair "list --all, $n incidents (rg -l over $files incident.md)" "$repo" \
    "$bin list --all" "sh -c 'rg -l --no-ignore ^title: incidents/*/incident.md >/dev/null'"
  pair "stats, $n incidents (rg over incident.md)" "$repo" \
    "$bin stats" "sh -c 'rg --no-ignore -c ^title: incidents/*/incident.md >/dev/null'"
  pair "lint, $n incidents (rg over every record)" "$repo" \
    "sh -c '$bin lint 2>/dev/null'" "rg --no-ignore -c ^kind: incidents"
  for cmd in show summary due rca; do
    case $cmd in
      rca) alone "rca -o -, $n entries" "$repo" "$bin rca -i $big -o -" ;;
      due) alone "due, $n entries" "$repo" "sh -c '$bin due -i $big; true'" ;;
      *) alone "$cmd, $n entries" "$repo" "$bin $cmd -i $big" ;;
    esac
  done
  growth "$n" "$repo" "$active"
  # Back to the generated records for the next run.
  (cd "$repo" && git reset -q --hard "$start" && git clean -qfd)
done
pair "start-up (--version)" "$project" "$bin --version" "git --version"

echo "| measure | incident | plain tool | ratio |"
echo "|---|---|---|---|"
cat "$results"
echo
echo "machine: $(nproc) cores, $(uname -srm), $(git --version)"
