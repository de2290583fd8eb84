using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansCompute.Messaging.Transport;

namespace OrleansCompute.Cluster.Tests;

/// <summary>Real loopback sockets: framing, coalesced writes, handshake refusals, size limits.</summary>
public sealed class TransportTests
{
    private static readonly byte[] s_secret = Encoding.UTF8.GetBytes("test-secret");

    private static ConnectionSettings Settings(PeerKind kind, string identity, string cluster = "c1", byte[]? secret = null, int max = 1024 * 1024) =>
        new(kind, cluster, identity, secret ?? s_secret, max, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Frames_arrive_in_order_and_intact_in_both_directions()
    {
        var server = new RecordingHandler(echo: true);
        await using var listener = new ConnectionListener(new IPEndPoint(IPAddress.Loopback, 0), k => Settings(PeerKind.Silo, "server"), server,
            NullLogger.Instance) { ExpectedPeer = PeerKind.Silo };
        listener.Start();
        var client = new RecordingHandler(echo: false);
        await using var connection = await Connection.ConnectAsync(listener.Endpoint, Settings(PeerKind.Silo, "client"), client, NullLogger.Instance,
            CancellationToken.None);
        Assert.Equal("server", connection.Peer.Identity);

        const int count = 5000;
        for (var i = 0; i < count; i++)
        {
            Assert.True(connection.TrySend(new TextMessage($"m{i}:" + new string('x', i % 300))));
        }

        await client.WaitForAsync(count);
        var received = client.Received.ToArray();
        for (var i = 0; i < count; i++)
        {
            Assert.Equal($"m{i}:" + new string('x', i % 300), received[i]);
        }
    }

    [Fact]
    public async Task A_peer_with_the_wrong_secret_is_refused_and_told_why()
    {
        await using var listener = new ConnectionListener(new IPEndPoint(IPAddress.Loopback, 0), k => Settings(PeerKind.Silo, "server"),
            new RecordingHandler(false), NullLogger.Instance) { ExpectedPeer = PeerKind.Silo };
        listener.Start();
        var error = await Assert.ThrowsAsync<HandshakeException>(() => Connection.ConnectAsync(listener.Endpoint,
            Settings(PeerKind.Silo, "intruder", secret: Encoding.UTF8.GetBytes("wrong")), new RecordingHandler(false), NullLogger.Instance,
            CancellationToken.None));
        Assert.Contains("authentication failed", error.Message);
        await Task.Delay(100);
        Assert.Empty(listener.OpenConnections());
    }

    [Fact]
    public async Task A_peer_from_another_cluster_is_refused_and_told_why()
    {
        await using var listener = new ConnectionListener(new IPEndPoint(IPAddress.Loopback, 0), k => Settings(PeerKind.Silo, "server"),
            new RecordingHandler(false), NullLogger.Instance) { ExpectedPeer = PeerKind.Silo };
        listener.Start();
        var error = await Assert.ThrowsAsync<HandshakeException>(() => Connection.ConnectAsync(listener.Endpoint,
            Settings(PeerKind.Silo, "other", cluster: "c2"), new RecordingHandler(false), NullLogger.Instance, CancellationToken.None));
        Assert.Contains("cluster id mismatch", error.Message);
    }

    [Fact]
    public async Task An_oversized_message_fails_alone_and_the_connection_keeps_working()
    {
        var server = new RecordingHandler(echo: false);
        await using var listener = new ConnectionListener(new IPEndPoint(IPAddress.Loopback, 0), k => Settings(PeerKind.Silo, "server"), server,
            NullLogger.Instance) { ExpectedPeer = PeerKind.Silo };
        listener.Start();
        await using var connection = await Connection.ConnectAsync(listener.Endpoint, Settings(PeerKind.Silo, "client", max: 1000),
            new RecordingHandler(false), NullLogger.Instance, CancellationToken.None);
        var big = new TextMessage(new string('y', 5000));
        connection.TrySend(new TextMessage("before"));
        connection.TrySend(big);
        connection.TrySend(new TextMessage("after"));
        await server.WaitForAsync(2);
        Assert.Equal(["before", "after"], server.Received.ToArray());
        var failure = await big.Failure.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.IsType<MessageTooLargeException>(failure);
        Assert.Contains("MaxMessageSize", failure.Message);
        Assert.False(connection.IsClosed);
    }

    private sealed class TextMessage(string text) : OutboundMessage
    {
        public TaskCompletionSource<Exception> Failure { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void WriteBody(IBufferWriter<byte> output) => output.Write(Encoding.UTF8.GetBytes(text));

        public override void OnSendFailed(Exception exception) => Failure.TrySetResult(exception);
    }

    private sealed class RecordingHandler(bool echo) : IConnectionHandler
    {
        public ConcurrentQueue<string> Received { get; } = new();

        public void OnFrame(Connection connection, ReadOnlySpan<byte> body)
        {
            var text = Encoding.UTF8.GetString(body);
            if (echo)
            {
                connection.TrySend(new TextMessage(text));
            }
            else
            {
                Received.Enqueue(text);
            }
        }

        public void OnClosed(Connection connection, Exception? error)
        {
        }

        public async Task WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Received.Count < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.Equal(count, Received.Count);
        }
    }
}
