namespace OrleansCompute.Cli;

/// <summary>A command-line or input-file problem found before (or instead of) calling the API: exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
