namespace OrleansCompute.Testing.Servers;

/// <summary><c>redis-server</c> is not on the PATH: tests that need a real Redis cannot run.</summary>
public sealed class RedisServerNotInstalledException : Exception
{
    public RedisServerNotInstalledException()
        : base("redis-server was not found on the PATH. These tests need a real Redis server: run ./test.sh, which installs it "
            + "(apt-get install redis-server) when missing, or install it yourself.")
    {
    }

    public RedisServerNotInstalledException(string message) : base(message)
    {
    }

    public RedisServerNotInstalledException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
