using System.Runtime.InteropServices;

namespace OrleansCompute.Hosting;

/// <summary>Ends the silo process at once, for the isolation fence and the stop deadline.</summary>
internal static class ProcessExit
{
    /// <summary>
    /// Writes <paramref name="line"/> to standard error as well (the console logger writes on its own thread and may not
    /// get to the logged copy before the process ends) and gives that logger a moment.
    /// </summary>
    public static void Announce(string line)
    {
        Console.Error.WriteLine(line);
        Console.Error.Flush();
        Thread.Sleep(100);
    }

    /// <summary>
    /// Ends the process with <paramref name="code"/> now: <c>_exit(2)</c>, so no <c>ProcessExit</c> handler runs (the
    /// host's would wait for its graceful stop: grains deactivating and writing, membership updates).
    /// </summary>
    public static void Now(int code)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            NativeMethods.Exit(code);
        }

        Environment.FailFast($"OrleansCompute: exit code {code}");
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "_exit")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern void Exit(int status);
    }
}
