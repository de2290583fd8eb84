using OrleansCompute.Grains.Compute.Kinds;

namespace OrleansCompute.Grains.Compute.Jobs;

/// <summary>
/// The job kinds a silo runs, by name (case-insensitive). <see cref="CreateDefault"/> has the built-in
/// kinds; register your own with <see cref="Register{TKey, TValue, TResult}"/>.
/// </summary>
public sealed class ComputeJobRegistry
{
    public const string WordCount = "word-count";
    public const string GroupBy = "group-by";
    public const string TopK = "top-k";
    public const string FilterCount = "filter-count";

    private readonly Dictionary<string, IComputeJobKind> _kinds = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => _kinds.Keys;

    /// <summary>A registry holding <c>word-count</c>, <c>group-by</c>, <c>top-k</c> (group-by with a required top-k) and <c>filter-count</c>.</summary>
    public static ComputeJobRegistry CreateDefault()
    {
        var registry = new ComputeJobRegistry();
        registry.Register(new WordCountKind());
        registry.Register(GroupBy, static spec => new GroupByJob(spec, requireTopK: false));
        registry.Register(TopK, static spec => new GroupByJob(spec, requireTopK: true));
        registry.Register(FilterCount, static spec => new FilterCountJob(spec));
        return registry;
    }

    public ComputeJobRegistry Register(IComputeJobKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (!_kinds.TryAdd(kind.Name, kind))
        {
            throw new InvalidOperationException($"A job kind named '{kind.Name}' is already registered.");
        }

        return this;
    }

    public ComputeJobRegistry Register<TKey, TValue, TResult>(string name, Func<ComputeJobSpec, ComputeJob<TKey, TValue, TResult>> factory)
        where TKey : notnull => Register(ComputeJobKind.Create(name, factory));

    public bool TryGet(string name, out IComputeJobKind kind) => _kinds.TryGetValue(name, out kind!);

    /// <summary>The runner for <paramref name="spec"/>'s kind; throws <see cref="ArgumentException"/> for an unknown kind or bad options.</summary>
    public IComputeJobRunner CreateRunner(ComputeJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!_kinds.TryGetValue(spec.Kind, out var kind))
        {
            throw new ArgumentException($"Unknown job kind '{spec.Kind}'. Registered kinds: {string.Join(", ", _kinds.Keys.Order(StringComparer.Ordinal))}.", nameof(spec));
        }

        return kind.CreateRunner(spec);
    }

    /// <summary>Word count runs on UTF-8 keys end to end (<see cref="WordCountRunner"/>), not through the generic runner.</summary>
    private sealed class WordCountKind : IComputeJobKind
    {
        public string Name => WordCount;

        public IComputeJobRunner CreateRunner(ComputeJobSpec spec) => new WordCountRunner(spec);
    }
}
