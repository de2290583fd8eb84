using BenchmarkDotNet.Running;

// Run one group:   dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- --filter '*LocalCall*'
// List them all:   dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- --list flat
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
