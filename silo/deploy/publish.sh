#!/usr/bin/env bash
# Restores and publishes the silo executable (framework-dependent, Release) into OUT: the build steps of the Dockerfile,
# runnable as they are on a machine without a container engine (tests/OrleansCompute.Deployment.Tests runs it).
#   silo/deploy/publish.sh OUT
set -euo pipefail
out="${1:?usage: publish.sh OUT}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
dotnet restore silo/OrleansCompute.Silo/OrleansCompute.Silo.csproj
dotnet publish silo/OrleansCompute.Silo/OrleansCompute.Silo.csproj -c Release --no-restore -o "$out" -p:UseAppHost=false
