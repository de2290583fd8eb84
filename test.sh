#!/usr/bin/env bash
# Runs every test in the repository and ends with one line: "N passed, N failed".
# Installs what the tests need when it is missing (redis-server and python3 from apt, azurite from npm into .cache/);
# servers bind loopback only and are stopped on exit.
#   ./test.sh                 all tests
#   ./test.sh --filter EXPR   passes EXPR to dotnet test --filter
#   ./test.sh --chaos [MIN]   only the chaos suite, full form: churn and load for MIN minutes each (default 10); the normal
#                             run includes its CI form (1-minute churn, 30 s under load). Report: .ci/out/chaos-report.txt
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
out="$root/.ci/out"
# TestCluster silos write their log lines here (Orleans.TestingHost's file logger), one file per silo.
export OCX_TEST_LOG_DIR="$out/silo-logs"
rm -rf "$out" && mkdir -p "$out"

filter=()
chaos=0
if [[ "${1:-}" == "--filter" && -n "${2:-}" ]]; then
  filter=(--filter "$2")
elif [[ "${1:-}" == "--chaos" ]]; then
  chaos=1
  minutes="${2:-10}"
  if ! [[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
    echo "--chaos takes a number of minutes (was '$minutes')."
    exit 2
  fi
  export OCX_CHAOS_MINUTES="$minutes"
  echo "chaos suite, full form: churn for $OCX_CHAOS_MINUTES minute(s)"
fi

echo "== tools"
# Servers the tests start themselves (on loopback, free ports, temp folders); installed when missing:
# - redis-server (apt): the Redis tests start their own servers (free loopback ports, temp folders; see
#   tests/OrleansCompute.Testing.Servers), so the Debian package's own service is never used; if the install started
#   it, it is stopped and disabled again;
# - chromium (apt) and playwright-core (npm, pinned, into the gitignored .cache/playwright, never globally): the
#   dashboard's browser tests (tests/OrleansCompute.Cli.Tests/DashboardBrowserTests.cs);
# - python3 (apt): the CSV tests compare with Python's csv module (tests/OrleansCompute.Compute.Tests/CsvQuoteTests.cs);
# - azurite (npm, pinned, into the gitignored .cache/azurite; no global install, no service): the Azure Blob tests
#   start their own azurite-blob on free loopback ports with temp folders
#   (tests/OrleansCompute.Testing.Servers/AzuriteServer.cs).
# apt needs root (CI runs as root). One apt transaction for everything missing; the npm installs run beside it.
playwright_version=1.64.1
azurite_version=3.37.0
ensure_apt_packages() {
  local missing=()
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v python3 >/dev/null || missing+=(python3)
  [[ ${#missing[@]} -eq 0 ]] && return
  echo "installing ${missing[*]} (apt)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$out/apt.log" 2>&1; then
    echo "Could not install ${missing[*]} (see $out/apt.log; run as root or install them yourself): the Redis, browser or CSV tests will fail."
    return
  fi
  if [[ " ${missing[*]} " == *" redis-server "* && -d /run/systemd/system ]]; then
    systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
}

# npm_install <what> <version> <folder> <purpose>: a pinned package into a gitignored folder, when it is not there yet.
npm_install() {
  local package="$1" version="$2" folder="$3" purpose="$4"
  if grep -qs "\"version\": \"$version\"" "$folder/node_modules/$package/package.json"; then
    return
  fi
  echo "installing $package@$version into ${folder#"$root/"}"
  if ! command -v npm >/dev/null; then
    echo "npm is not installed: the $purpose tests will fail (install Node.js and npm, then re-run)."
  elif ! { mkdir -p "$folder" && npm install --prefix "$folder" --save-exact --no-audit --no-fund --loglevel=error "$package@$version"; } >"$out/npm-$package.log" 2>&1; then
    echo "Could not install $package (see $out/npm-$package.log): the $purpose tests will fail."
  fi
}

ensure_tools() {
  ensure_apt_packages &
  local apt=$!
  npm_install playwright-core "$playwright_version" "$root/.cache/playwright" "dashboard browser" &
  local playwright=$!
  npm_install azurite "$azurite_version" "$root/.cache/azurite" "Azure Blob"
  wait "$playwright" "$apt"
}

# Tools install (network and disk: apt, npm) while the build runs (CPU): on a fresh machine that saves about a minute.
ensure_tools >"$out/tools.log" 2>&1 &
tools_pid=$!

echo "== build"
# Without the analyzers and code-style checks: every normal `dotnet build` runs them (warnings are errors,
# Directory.Build.props), and here they doubled the build (a clean build of the solution: 214 s with them, 87 s
# without, same machine, same minute). Exported (MSBuild reads it as a property), so the deployment test's
# `dotnet publish` of the silo finds everything built alike and compiles nothing again (4 s instead of 40 s, and the
# assemblies in bin/ that other tests start stay as they are).
export RunAnalyzers=false
dotnet build OrleansCompute.sln -c Release -nologo -v quiet >"$out/build.log" 2>&1
build_status=$?
wait "$tools_pid"
cat "$out/tools.log"
grep -E ": (error|warning) " "$out/build.log" | sort -u | head -n 50
if [[ $build_status -ne 0 ]]; then
  echo "Build failed (see $out/build.log)."
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== test"
projects=$(find tests -name "*.Tests.csproj" | sort)
hang=5m
if [[ $chaos -eq 1 ]]; then
  projects=tests/OrleansCompute.Chaos.Tests/OrleansCompute.Chaos.Tests.csproj
  hang="$(( ${OCX_CHAOS_MINUTES%.*} + 10 ))m"   # one test runs the whole churn
fi
status=0
run_project() {
  local project="$1" name
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build -nologo "${filter[@]}" \
    --blame-hang-timeout "$hang" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$out"
}
# Projects whose tests bound no failover or fencing time, and that wait on servers, processes and a browser more than
# on the CPU, run side by side first; the rest run one at a time: their tests measure recovery times on real silo
# processes, or are CPU-bound (Compute: side by side it took 3.5 min instead of 1.7).
side_by_side=" OrleansCompute.Api.Tests OrleansCompute.AzureStorage.Tests OrleansCompute.Cli.Tests OrleansCompute.Deployment.Tests OrleansCompute.Persistence.Tests "
pids=(); names=()
for project in $projects; do
  name=$(basename "$project" .csproj)
  if [[ $chaos -eq 0 && "$side_by_side" == *" $name "* ]]; then
    run_project "$project" >"$out/$name.console.log" 2>&1 &
    pids+=($!); names+=("$name")
  fi
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || status=1
  echo "-- ${names[$i]}"
  cat "$out/${names[$i]}.console.log"
done
for project in $projects; do
  name=$(basename "$project" .csproj)
  if [[ $chaos -eq 0 && "$side_by_side" == *" $name "* ]]; then
    continue
  fi
  echo "-- $name"
  run_project "$project" || status=1
done

passed=0; failed=0; missing=0
for project in $projects; do
  name=$(basename "$project" .csproj)
  trx="$out/$name.trx"
  if [[ ! -f "$trx" ]]; then
    echo "No results from $name (the test host crashed or hung)."
    missing=$((missing + 1))
    continue
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
failed=$((failed + missing))
if [[ $failed -gt 0 ]]; then status=1; fi
if [[ -f "$out/chaos-report.txt" ]]; then
  echo "== chaos report ($out/chaos-report.txt)"
  cat "$out/chaos-report.txt"
fi
echo "$passed passed, $failed failed"
exit $status
