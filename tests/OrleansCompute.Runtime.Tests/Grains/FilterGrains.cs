using OrleansCompute.Runtime.Tests.Infrastructure;

namespace OrleansCompute.Runtime.Tests.Grains;

/// <summary>A grain that is also its own incoming call filter: it refuses <c>Secret</c>.</summary>
public sealed class FilteredGrain(CallLog log) : Grain, IFilteredGrain, IIncomingGrainCallFilter
{
    public Task<int> Twice(int value) => Task.FromResult(value * 2);

    public Task<string> Secret() => Task.FromResult("leaked");

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        log.Add($"grain-filter:{context.MethodName}");
        if (context.MethodName == nameof(Secret))
        {
            throw new UnauthorizedAccessException("Secret is not for you.");
        }

        await context.Invoke();
    }
}

/// <summary>Silo-wide incoming filter: logs and adds one to every int argument.</summary>
public sealed class ArgumentBumpingFilter(CallLog log) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        log.Add($"silo-filter:{context.InterfaceName}.{context.MethodName}:{context.TargetId}");
        if (context.Request.ArgumentCount == 1 && context.Request.GetArgument(0) is int value)
        {
            context.Request.SetArgument(0, value + 1);
        }

        await context.Invoke();
    }
}

/// <summary>Outgoing filter: multiplies int results by 10 after the call returns.</summary>
public sealed class ResultScalingFilter(CallLog log) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        await context.Invoke();
        log.Add($"outgoing:{context.MethodName}:{context.Result}");
        if (context.Result is int value)
        {
            context.Result = value * 10;
        }
    }
}
