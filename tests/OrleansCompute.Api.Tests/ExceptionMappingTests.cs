using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace OrleansCompute.Api.Tests;

/// <summary>Which status an exception that leaves an endpoint becomes: Orleans's connection failures are 503, not 4xx or 500.</summary>
public sealed class ExceptionMappingTests
{
    public static TheoryData<Exception> Unavailable => new()
    {
        new SiloUnavailableException("No active silo"),
        new ConnectionFailedException("There are no available gateways."),
        new GatewayTooBusyException("busy"),
        new Orleans.Networking.Shared.SocketConnectionException("Unable to connect to 127.0.0.1:30000. Error: ConnectionRefused"),
        new OrleansException("call failed", new ConnectionFailedException("no gateway")),
        new AggregateException(new InvalidOperationException("other"), new SiloUnavailableException("gone")),
    };

    [Theory]
    [MemberData(nameof(Unavailable))]
    public void Orleans_connection_and_rejection_failures_are_503_cluster_unavailable(Exception exception)
    {
        var (status, title, detail, _) = ApiExceptionHandler.Classify(exception);

        Assert.Equal(503, status);
        Assert.Equal("Cluster unavailable", title);
        Assert.Contains("retry later", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_failures_keep_their_statuses()
    {
        Assert.Equal(504, ApiExceptionHandler.Classify(new TimeoutException()).Status);
        Assert.Equal(400, ApiExceptionHandler.Classify(new ArgumentException("bad", "x")).Status);
        Assert.Equal(500, ApiExceptionHandler.Classify(new OrleansException("something else")).Status);
        Assert.Equal(500, ApiExceptionHandler.Classify(new InvalidOperationException("bug")).Status);
    }
}
