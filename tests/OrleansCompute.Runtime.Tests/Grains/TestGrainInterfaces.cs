using OrleansCompute.Concurrency;

namespace OrleansCompute.Runtime.Tests.Grains;

public interface ILifecycleGrain : IGrainWithStringKey
{
    Task<string> Ping();

    Task Deactivate();

    Task<int> ActivationCount();
}

public interface IConcurrencyGrain : IGrainWithIntegerKey
{
    /// <summary>Holds the turn across an await and records the peak number of calls inside at once.</summary>
    Task Work(int milliseconds);

    Task<int> MaxConcurrent();

    [AlwaysInterleave]
    Task<int> InterleavedPeek();
}

public interface IReentrantGrain : IGrainWithIntegerKey
{
    Task Work(int milliseconds);

    Task<int> MaxConcurrent();
}

public interface IBehaviorGrain : IGrainWithGuidKey
{
    Task<int> Add(int a, int b);

    ValueTask<string> Echo(string value);

    ValueTask Nothing();

    Task Throw(string message);

    Task<int> ThrowAfterAwait(string message);

    [ResponseTimeout("00:00:00.300")]
    Task Slow(int milliseconds);

    Task<bool> WaitForCancellation(int milliseconds, CancellationToken cancellationToken);

    [OneWay]
    Task FireAndForget(string value);

    Task<string> LastFireAndForget();

    Task<string> KeyInfo();
}

public interface ICompoundKeyGrain : IGrainWithIntegerCompoundKey
{
    Task<string> Describe();
}

public interface ITimerGrain : IGrainWithStringKey
{
    Task Start(int periodMs, int tickWorkMs);

    Task<int> Ticks();

    Task<int> MaxConcurrent();

    Task Call(int milliseconds);

    Task Stop();
}

public interface IWorkerGrain : IGrainWithIntegerKey
{
    Task<string> WhoAmI(int holdMs);
}

public interface ICallerGrain : IGrainWithStringKey
{
    Task<int> CallAdd(Guid target, int a, int b);
}

public interface IProfileGrain : IGrainWithStringKey
{
    Task SetName(string name);

    Task<string?> GetName();

    Task<int> Writes();

    Task<bool> RecordExists();

    Task Clear();

    Task Deactivate();

    /// <summary>Writes state read earlier while someone else wrote in between: must fail.</summary>
    Task WriteStale();
}

public interface IMissingStorageGrain : IGrainWithStringKey
{
    Task<int> Get();
}

public interface IFilteredGrain : IGrainWithStringKey
{
    Task<int> Twice(int value);

    Task<string> Secret();
}
