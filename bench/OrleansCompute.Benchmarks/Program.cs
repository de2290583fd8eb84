using BenchmarkDotNet.Running;
using OrleansCompute.Benchmarks.Macro;

// Micro (BenchmarkDotNet):  dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- --filter '*LocalCall*'
// Macro (real processes):   dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- failover [kills]
//                           dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- redis-storage [seconds]
//                           dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- ingest [seconds] [--breakdown]
//                           dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- http-ingest [seconds] [producers]
//                           dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- calls [seconds]
//                           dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- batch [rounds] [--quick] [--grains-only] [--silos=1,2]
//                           dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- small-files [rounds]
//                           dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- scale [rounds] [idle activations] [warm-up rounds]
//                           dotnet run -c Release --project bench/OrleansCompute.Benchmarks -- membership-entry
return args.FirstOrDefault() switch
{
    "failover" => await RedisClusterMacro.FailoverAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10),
    "redis-storage" => await RedisClusterMacro.RedisStorageAsync(TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10)),
    "ingest" => await IngestMacro.RunAsync(TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10), producers: 8, keys: 10_000, breakdown: args.Contains("--breakdown")),
    "http-ingest" => await HttpIngestMacro.RunAsync(TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10),
        producers: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 8, keys: 10_000),
    "batch" => await BatchMacro.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3, quick: args.Contains("--quick"),
        grainsOnly: args.Contains("--grains-only"),
        siloCounts: args.FirstOrDefault(a => a.StartsWith("--silos=", StringComparison.Ordinal)) is { } silos
            ? [.. silos["--silos=".Length..].Split(',').Select(n => int.Parse(n, System.Globalization.CultureInfo.InvariantCulture))]
            : null),
    "small-files" => await SmallFilesMacro.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5),
    "scale" => await ScaleMacro.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 7,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20_000,
        args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 4),
    "membership-entry" => MembershipEntrySize(),
    "calls" => await CallsProbe.RunAsync(TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5)),
    "engine-profile" => EngineProfile.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2, args.Length > 2 ? args[2] : null),
    _ => Run(args),
};

static int MembershipEntrySize()
{
    ScaleMacro.GossipEntrySize();
    return 0;
}

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    return 0;
}
