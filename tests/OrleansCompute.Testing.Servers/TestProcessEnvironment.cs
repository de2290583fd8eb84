using System.Diagnostics;

namespace OrleansCompute.Testing.Servers;

/// <summary>The runtime settings of every .NET host process the tests start (silos, API hosts).</summary>
public static class TestProcessEnvironment
{
    /// <summary>
    /// Workstation GC (the silo asks for server GC: a heap per core in each of the many processes a test run starts), and
    /// tiered compilation on. The silo turns tiering off (its project file: the first jobs after a start run fully
    /// optimized), which makes a start cost ~3 s of CPU instead of ~1–1.5 s (measured 2026-12-07, one silo, embedded
    /// default); the tests start about a hundred silo processes on two cores and check behaviour, not speed, so they
    /// take the cheaper start. bench/ measures with the product's own settings.
    /// </summary>
    public static void Apply(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_TieredCompilation"] = "1";
    }
}
