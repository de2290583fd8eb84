using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using OrleansCompute.Benchmarks.Hosting;
using OrleansCompute.Benchmarks.Runtime;

namespace OrleansCompute.Benchmarks.Macro;

/// <summary>
/// <c>calls [seconds]</c>: local grain calls/s on one in-process silo, timed with a stopwatch (quicker than BenchmarkDotNet,
/// same shapes as <see cref="LocalCallBenchmarks"/>): 100 callers outside any grain → 100 grains, and 100 caller grains
/// → 100 grains (grain-to-grain), plus process CPU µs per call. One unreported warm-up round first (the JIT's tiering
/// takes seconds on a busy machine: a short BenchmarkDotNet warm-up measured tier-0 code), then three rounds.
/// </summary>
internal static class CallsProbe
{
    private const int Callers = 100;

    public static async Task<int> RunAsync(TimeSpan duration)
    {
        using var host = BenchHosts.BuildSilo();
        await host.StartAsync();
        try
        {
            var factory = host.Services.GetRequiredService<IGrainFactory>();
            var adders = Enumerable.Range(0, Callers).Select(i => factory.GetGrain<IAdderGrain>(1000 + i)).ToArray();
            var callers = Enumerable.Range(0, Callers).Select(i => factory.GetGrain<ICallerGrain>(i)).ToArray();
            for (var round = 0; round < 4; round++)
            {
                var tag = round == 0 ? " (warm-up)" : "";
                await Report("outside callers → 100 grains" + tag, duration, async (i, watch) =>
                {
                    long calls = 0;
                    while (watch.Elapsed < duration)
                    {
                        for (var n = 0; n < 100; n++)
                        {
                            await adders[i].Add(n, 1);
                        }

                        calls += 100;
                    }

                    return calls;
                });
                await Report("caller grains → 100 grains (grain to grain)" + tag, duration, async (i, watch) =>
                {
                    long calls = 0;
                    while (watch.Elapsed < duration)
                    {
                        await callers[i].Call(adders[i], 100);
                        calls += 100;
                    }

                    return calls;
                });
            }
        }
        finally
        {
            await host.StopAsync();
        }

        return 0;
    }

    private static async Task Report(string name, TimeSpan duration, Func<int, Stopwatch, Task<long>> caller)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var counts = await Task.WhenAll(Enumerable.Range(0, Callers).Select(i => Task.Run(() => caller(i, watch))));
        var elapsed = watch.Elapsed.TotalSeconds;
        var calls = counts.Sum();
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {calls / elapsed,12:N0} calls/s, {cpuSeconds * 1e6 / calls:F2} CPU µs/call ({duration.TotalSeconds:F0} s)"));
    }
}
