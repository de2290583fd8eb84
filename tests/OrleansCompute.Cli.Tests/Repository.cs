namespace OrleansCompute.Cli.Tests;

/// <summary>Paths in this repository as built (same configuration as the running tests).</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The built ocx CLI.</summary>
    public static string OcxDll => Built(Path.Combine(Root, "client", "OrleansCompute.Cli", "bin", Configuration, "net10.0", "ocx.dll"));

    /// <summary>Where test artefacts (screenshots) go: test.sh's .ci/out when it exists, else the test's output folder.</summary>
    public static string ResultsDirectory
    {
        get
        {
            var ci = Path.Combine(Root, ".ci", "out");
            return Directory.Exists(ci) ? ci : AppContext.BaseDirectory;
        }
    }

    private static string Built(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first (./test.sh does).", path);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansCompute.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
