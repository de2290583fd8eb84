namespace OrleansCompute.Testing.Servers;

/// <summary>Clean-up shared by the test servers.</summary>
internal static class TempFolders
{
    /// <summary>Deletes a server's temporary folder, best effort: a leftover temp folder must not fail a test.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
