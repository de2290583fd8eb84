using System.Diagnostics;

namespace OrleansCompute.Compute.Tests.Support;

/// <summary>The real data sets of bench/data/fetch.sh, fetched into the repository's .cache/data on first use.</summary>
public static class RealData
{
    private static readonly Lock s_gate = new();

    public static string RepositoryRoot
    {
        get
        {
            var dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "OrleansCompute.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("Cannot find the repository root (OrleansCompute.sln) above " + AppContext.BaseDirectory);
        }
    }

    public static string Folder => Path.Combine(RepositoryRoot, ".cache", "data");

    /// <summary>The path of a data file, running the fetch script for its set when it is not cached yet.</summary>
    public static string Get(string set, string file)
    {
        var path = Path.Combine(Folder, file);
        lock (s_gate)
        {
            if (!File.Exists(path))
            {
                var script = Path.Combine(RepositoryRoot, "bench", "data", "fetch.sh");
                using var process = Process.Start(new ProcessStartInfo("bash", [script, set]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
                var errors = process.StandardError.ReadToEndAsync();
                process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0 || !File.Exists(path))
                {
                    throw new InvalidOperationException($"bench/data/fetch.sh {set} failed ({process.ExitCode}): {errors.Result}");
                }
            }
        }

        return path;
    }

    /// <summary>Copies the first <paramref name="bytes"/> of a file (cut after a newline) to <paramref name="target"/>.</summary>
    public static void Head(string source, string target, int bytes)
    {
        using var input = File.OpenRead(source);
        var buffer = new byte[Math.Min(bytes, input.Length)];
        input.ReadExactly(buffer);
        var end = Array.LastIndexOf(buffer, (byte)'\n') + 1;
        File.WriteAllBytes(target, buffer[..(end > 0 ? end : buffer.Length)]);
    }
}
