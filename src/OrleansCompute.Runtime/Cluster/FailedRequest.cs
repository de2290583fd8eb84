using OrleansCompute.Invocation;

namespace OrleansCompute.Cluster;

/// <summary>A stand-in request completed with an exception, to answer requests that could not even be read.</summary>
internal sealed class FailedRequest : GrainRequest<VoidResult>
{
    public static FailedRequest Create(Exception exception)
    {
        var request = new FailedRequest();
        request.TrySetException(exception);
        return request;
    }

    public override Type InterfaceType => typeof(IGrain);

    public override string MethodName => "(unreadable request)";

    public override int ArgumentCount => 0;

    public override object? GetArgument(int index) => throw BadArgumentIndex(index);

    public override void SetArgument(int index, object? value) => throw BadArgumentIndex(index);

    public override ValueTask<VoidResult> InvokeAsync(object target) => throw new NotSupportedException();
}
