using System.Collections.Concurrent;
using OrleansCompute.Invocation;

namespace OrleansCompute.Activation;

/// <summary>Maps grain type names and grain interfaces to grain classes, from what generated code registered.</summary>
internal sealed class GrainTypeResolver
{
    private readonly ConcurrentDictionary<string, GrainClassInfo> _byGrainType = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(Type Interface, string Prefix), GrainClassInfo> _byInterface = new();
    private readonly Lock _refreshLock = new();
    private int _knownClassCount = -1;

    public GrainClassInfo GetByGrainType(string grainType)
    {
        if (_byGrainType.TryGetValue(grainType, out var info))
        {
            return info;
        }

        Refresh();
        return _byGrainType.TryGetValue(grainType, out info)
            ? info
            : throw new InvalidOperationException(
                $"No grain class has grain type '{grainType}'. Is the assembly that defines it referenced by the silo and built with the OrleansCompute code generator?");
    }

    public GrainClassInfo GetByInterface(Type grainInterface, string? grainClassNamePrefix)
    {
        var key = (grainInterface, grainClassNamePrefix ?? string.Empty);
        if (_byInterface.TryGetValue(key, out var cached))
        {
            return cached;
        }

        Refresh();
        var candidates = new List<GrainClassInfo>();
        foreach (var info in _byGrainType.Values)
        {
            if (!grainInterface.IsAssignableFrom(info.Metadata.GrainClass))
            {
                continue;
            }

            if (grainClassNamePrefix is null
                || info.Metadata.GrainClass.FullName!.StartsWith(grainClassNamePrefix, StringComparison.Ordinal)
                || info.Metadata.GrainClass.Name.StartsWith(grainClassNamePrefix, StringComparison.Ordinal))
            {
                candidates.Add(info);
            }
        }

        if (candidates.Count == 1)
        {
            _byInterface[key] = candidates[0];
            return candidates[0];
        }

        if (candidates.Count == 0)
        {
            throw new ArgumentException(grainClassNamePrefix is null
                ? $"No grain class implements {grainInterface.FullName}. Reference the assembly with the implementation from the silo (grain classes derive from OrleansCompute.Grain)."
                : $"No grain class implementing {grainInterface.FullName} has a name starting with '{grainClassNamePrefix}'.");
        }

        var names = string.Join(", ", candidates.Select(c => c.Metadata.GrainClass.FullName));
        throw new ArgumentException(
            $"Several grain classes implement {grainInterface.FullName} ({names}): pass grainClassNamePrefix to GetGrain to choose one.");
    }

    /// <summary>Every known grain class.</summary>
    public ICollection<GrainClassInfo> All => _byGrainType.Values;

    /// <summary>Picks up grain classes registered since the last look (assemblies load lazily).</summary>
    public void Refresh()
    {
        lock (_refreshLock)
        {
            if (_knownClassCount < 0)
            {
                CodeRegistry.EnsureApplicationRegistered();
            }

            var classes = CodeRegistry.GrainClasses;
            if (classes.Count == _knownClassCount)
            {
                return;
            }

            foreach (var metadata in classes)
            {
                if (_byGrainType.TryGetValue(metadata.GrainType, out var existing))
                {
                    if (existing.Metadata.GrainClass != metadata.GrainClass)
                    {
                        throw new InvalidOperationException(
                            $"Grain classes {existing.Metadata.GrainClass.FullName} and {metadata.GrainClass.FullName} both have grain type '{metadata.GrainType}'. Give one a [GrainType(\"...\")] attribute.");
                    }

                    continue;
                }

                _byGrainType[metadata.GrainType] = new GrainClassInfo(metadata);
            }

            _knownClassCount = classes.Count;
        }
    }
}
