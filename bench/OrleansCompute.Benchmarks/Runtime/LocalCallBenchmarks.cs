using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using OrleansCompute.Benchmarks.Hosting;

namespace OrleansCompute.Benchmarks.Runtime;

/// <summary>
/// Local grain calls on one Orleans silo (in-process host, localhost clustering) vs. a direct interface call on the same object type (the baseline).
/// <c>Single*</c>: one awaited call at a time (latency). <c>Concurrent*</c>: 100 callers each awaiting
/// calls in a loop, to 100 different grains or to one grain (throughput; per-call time = 1 / rate).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The baseline is deliberately an interface call.")]
public class LocalCallBenchmarks
{
    private const int Callers = 100;
    private const int CallsPerCaller = 200;
    private const int SequentialCalls = 2000;
    private IHost _host = null!;
    private IAdderGrain _grain = null!;
    private IAdderGrain[] _grains = null!;
    private IAdderGrain _direct = null!;
    private IAdderGrain[] _directs = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _host = BenchHosts.BuildSilo();
        await _host.StartAsync();
        var factory = _host.Services.GetRequiredService<IGrainFactory>();
        _grain = factory.GetGrain<IAdderGrain>(0);
        _grains = Enumerable.Range(1, Callers).Select(i => factory.GetGrain<IAdderGrain>(i)).ToArray();
        await Task.WhenAll(_grains.Select(g => g.Add(1, 1)));
        await _grain.Add(1, 1);
        // Outside a silo Orleans's Grain constructor leaves the grain without a context: fine for a method that uses none.
        _direct = new AdderGrain();
        _directs = Enumerable.Range(0, Callers).Select(_ => (IAdderGrain)new AdderGrain()).ToArray();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Single")]
    public Task<int> SingleDirectCall() => _direct.Add(1, 2);

    [Benchmark]
    [BenchmarkCategory("Single")]
    public Task<int> SingleGrainCall() => _grain.Add(1, 2);

    /// <summary>One async caller awaiting calls back to back: the latency of one awaited call as an async caller sees it.</summary>
    [Benchmark(OperationsPerInvoke = SequentialCalls)]
    [BenchmarkCategory("Sequential")]
    public Task SequentialAwaitedDirectCalls() => RunSequential(_direct);

    [Benchmark(OperationsPerInvoke = SequentialCalls)]
    [BenchmarkCategory("Sequential")]
    public Task SequentialAwaitedGrainCalls() => RunSequential(_grain);

    private static Task RunSequential(IAdderGrain target) => Task.Run(async () =>
    {
        for (var n = 0; n < SequentialCalls; n++)
        {
            await target.Add(n, 1);
        }
    });

    [Benchmark(OperationsPerInvoke = Callers * CallsPerCaller)]
    [BenchmarkCategory("Concurrent")]
    public Task ConcurrentDirectCalls() => RunCallers(_directs);

    [Benchmark(OperationsPerInvoke = Callers * CallsPerCaller)]
    [BenchmarkCategory("Concurrent")]
    public Task ConcurrentGrainCallsTo100Grains() => RunCallers(_grains);

    [Benchmark(OperationsPerInvoke = Callers * CallsPerCaller)]
    [BenchmarkCategory("Concurrent")]
    public Task ConcurrentGrainCallsTo1Grain() => RunCallers(Enumerable.Repeat(_grain, Callers).ToArray());

    private static Task RunCallers(IAdderGrain[] targets)
    {
        var tasks = new Task[targets.Length];
        for (var i = 0; i < targets.Length; i++)
        {
            var target = targets[i];
            tasks[i] = Task.Run(async () =>
            {
                for (var n = 0; n < CallsPerCaller; n++)
                {
                    await target.Add(n, 1);
                }
            });
        }

        return Task.WhenAll(tasks);
    }
}
