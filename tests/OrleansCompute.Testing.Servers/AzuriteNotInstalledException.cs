namespace OrleansCompute.Testing.Servers;

/// <summary><c>azurite-blob</c> was not found: tests that need the Azure Storage emulator cannot run.</summary>
public sealed class AzuriteNotInstalledException : Exception
{
    public AzuriteNotInstalledException()
        : base("azurite-blob was not found in .cache/azurite/node_modules/.bin of the repository nor on the PATH. These tests need the "
            + "Azure Storage emulator: run ./test.sh, which installs it (npm install --prefix .cache/azurite azurite) when missing, "
            + "or install it yourself.")
    {
    }

    public AzuriteNotInstalledException(string message) : base(message)
    {
    }

    public AzuriteNotInstalledException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
