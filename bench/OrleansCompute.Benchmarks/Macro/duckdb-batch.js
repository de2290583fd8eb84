// DuckDB anchor of the `batch` macro benchmark (bench/OrleansCompute.Benchmarks/Macro/BatchMacro.cs).
// node duckdb-batch.js <data folder> <threads> <rounds>
// Prints one JSON object per line: {"job", "threads", "round", "seconds", ...check values}.
// GCIDE has a few lines that are not valid UTF-8: DuckDB refuses them, so they are skipped (ignore_errors), and its
// word totals are a little lower than the engine's (the macro prints both).
// Timed: the query alone (the instance is created and warmed with a trivial query first), results
// materialized into a temporary table, as the engine materializes its full result.
const { DuckDBInstance } = require("@duckdb/node-api");

const [folder, threadsArg, roundsArg] = process.argv.slice(2);
const threads = Number(threadsArg);
const rounds = Number(roundsArg);
const q = (s) => s.replace(/'/g, "''");
const gcide = q(`${folder}/gcide.txt`);
const flights = q(`${folder}/flights-3m.csv`);

// Word rule of the engine: runs of letters, marks and decimal digits, joined by an inner ' or U+2019;
// lower-cased (DuckDB's lower() is Unicode simple lower-case mapping, like Rune.ToLowerInvariant).
const wordCount = `
CREATE OR REPLACE TEMP TABLE wc AS
SELECT w, count(*) AS n
FROM (SELECT unnest(regexp_extract_all(lower(line), '[\\p{L}\\p{M}\\p{Nd}]+(?:[''\\x{2019}][\\p{L}\\p{M}\\p{Nd}]+)*')) AS w
      FROM read_csv('${gcide}', columns = {'line': 'VARCHAR'}, header = false, delim = '\\x01', quote = '', escape = '',
                    auto_detect = false, strict_mode = false, null_padding = true, ignore_errors = true))
GROUP BY w`;
const groupBy = `
CREATE OR REPLACE TEMP TABLE gb AS
SELECT origin, count(*) AS n, sum(delay) AS delay_sum, max(distance) AS distance_max
FROM read_csv('${flights}', header = true)
GROUP BY origin`;

(async () => {
  const db = await DuckDBInstance.create(":memory:", { threads: String(threads) });
  const c = await db.connect();
  await c.run("SELECT 1");
  for (let round = 1; round <= rounds; round++) {
    let t = process.hrtime.bigint();
    await c.run(wordCount);
    let seconds = Number(process.hrtime.bigint() - t) / 1e9;
    let r = (await c.runAndReadAll("SELECT count(*)::BIGINT AS d, sum(n)::BIGINT AS t FROM wc")).getRowObjects()[0];
    console.log(JSON.stringify({ job: "wordcount", threads, round, seconds, distinct: Number(r.d), total: Number(r.t) }));

    t = process.hrtime.bigint();
    await c.run(groupBy);
    seconds = Number(process.hrtime.bigint() - t) / 1e9;
    const rows = (await c.runAndReadAll("SELECT origin, n::BIGINT AS n, delay_sum::BIGINT AS s, distance_max::BIGINT AS m FROM gb ORDER BY origin")).getRowObjects();
    const check = rows.map((x) => `${x.origin}:${x.n}:${x.s}:${x.m}`).join(",");
    console.log(JSON.stringify({ job: "groupby", threads, round, seconds, groups: rows.length, check }));
  }
})().catch((e) => { console.error(e); process.exit(1); });
