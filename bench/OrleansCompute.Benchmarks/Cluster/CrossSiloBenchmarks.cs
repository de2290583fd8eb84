using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace OrleansCompute.Benchmarks.Cluster;

/// <summary>
/// Two Orleans silos in one process (<see cref="TestCluster"/> with <see cref="ConnectionTransportType.TcpSocket"/>: its
/// default transport is in-memory) over loopback TCP. Every call goes from silo A (its <see cref="IGrainFactory"/>, outside
/// any grain) to a grain activated on silo B: <see cref="EchoGrain"/> is randomly placed, and only keys that report B are kept.
/// Baseline: a raw TCP ping-pong (4-byte message and reply) over loopback in the same run.
/// <c>Sequential*</c>: one caller awaiting back to back (latency per round trip).
/// <c>Concurrent*</c>: 100 callers (throughput; time per call = 1 / rate).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
public class CrossSiloBenchmarks
{
    private const int SequentialCalls = 500;
    private const int Callers = 100;
    private const int CallsPerCaller = 100;
    private TestCluster _cluster = null!;
    private IEchoGrain[] _remote = null!;
    private Socket _client = null!;
    private Socket _server = null!;
    private Socket _listener = null!;
    private Task _echoLoop = Task.CompletedTask;
    private readonly byte[] _sendBuffer = new byte[4];
    private readonly byte[] _receiveBuffer = new byte[4];

    [GlobalSetup]
    public async Task Setup()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Options.InitializeClientOnDeploy = false;
        builder.AddSiloBuilderConfigurator<BenchGrainsConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        var a = _cluster.Silos[0];
        var b = _cluster.Silos[1];
        var factory = _cluster.GetSiloServiceProvider(a.SiloAddress).GetRequiredService<IGrainFactory>();
        var remote = new List<IEchoGrain>();
        for (var i = 0; remote.Count < Callers; i++)
        {
            var grain = factory.GetGrain<IEchoGrain>(i);
            if (i > 10_000)
            {
                throw new InvalidOperationException("Random placement put no grain on the second silo.");
            }

            if (await grain.WhereAmI() == b.SiloAddress.ToString())
            {
                remote.Add(grain);
            }
        }

        _remote = [.. remote];

        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await _client.ConnectAsync(_listener.LocalEndPoint!);
        _server = await _listener.AcceptAsync();
        _server.NoDelay = true;
        _echoLoop = Task.Run(async () =>
        {
            var buffer = new byte[4];
            while (true)
            {
                var read = await _server.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                await _server.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _client.Dispose();
        _server.Dispose();
        _listener.Dispose();
        await _cluster.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = SequentialCalls)]
    public async Task SequentialRawTcpPingPong()
    {
        for (var i = 0; i < SequentialCalls; i++)
        {
            await _client.SendAsync(_sendBuffer, SocketFlags.None);
            var got = 0;
            while (got < 4)
            {
                got += await _client.ReceiveAsync(_receiveBuffer.AsMemory(got), SocketFlags.None);
            }
        }
    }

    [Benchmark(OperationsPerInvoke = SequentialCalls)]
    public async Task SequentialCrossSiloCalls()
    {
        var grain = _remote[0];
        for (var i = 0; i < SequentialCalls; i++)
        {
            await grain.Echo(i);
        }
    }

    [Benchmark(OperationsPerInvoke = Callers * CallsPerCaller)]
    public Task ConcurrentCrossSiloCalls()
    {
        var tasks = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            var grain = _remote[c];
            tasks[c] = Task.Run(async () =>
            {
                for (var i = 0; i < CallsPerCaller; i++)
                {
                    await grain.Echo(i);
                }
            });
        }

        return Task.WhenAll(tasks);
    }

    /// <summary>The silos know the benchmark assembly's grains whatever the entry assembly (BenchmarkDotNet runs a generated one).</summary>
    internal sealed class BenchGrainsConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddSerializer(s => s.AddAssembly(typeof(EchoGrain).Assembly));
    }
}
