namespace OrleansCompute.Testing.Servers;

/// <summary>Paths in this repository as the running tests were built (Release or Debug).</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding <c>OrleansCompute.sln</c>, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of the running tests.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>A built project's output file, e.g. <c>Built("silo", "OrleansCompute.Silo", "OrleansCompute.Silo.dll")</c>.</summary>
    public static string Built(string folder, string project, string file) =>
        Path.Combine(Root, folder, project, "bin", Configuration, "net10.0", file);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansCompute.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"repository root (OrleansCompute.sln) not found above {AppContext.BaseDirectory}");
    }
}
