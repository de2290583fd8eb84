using BenchmarkDotNet.Running;

// Run: dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- --filter '*LocalCall*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
