using System.Reflection;
using OrleansCompute.Concurrency;
using OrleansCompute.Invocation;

namespace OrleansCompute.Activation;

/// <summary>Runtime facts about a grain class, read once when the silo starts.</summary>
internal sealed class GrainClassInfo
{
    public GrainClassInfo(GrainClassMetadata metadata)
    {
        Metadata = metadata;
        IsReentrant = metadata.GrainClass.GetCustomAttribute<ReentrantAttribute>(inherit: true) is not null;
        var worker = metadata.GrainClass.GetCustomAttribute<StatelessWorkerAttribute>(inherit: true);
        IsStatelessWorker = worker is not null;
        MaxLocalWorkers = worker?.MaxLocalWorkers ?? 1;
        IsCallFilter = typeof(IIncomingGrainCallFilter).IsAssignableFrom(metadata.GrainClass);
    }

    public GrainClassMetadata Metadata { get; }

    public string GrainType => Metadata.GrainType;

    public bool IsReentrant { get; }

    public bool IsStatelessWorker { get; }

    public int MaxLocalWorkers { get; }

    public bool IsCallFilter { get; }
}
