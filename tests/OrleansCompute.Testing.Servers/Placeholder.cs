namespace OrleansCompute.Testing.Servers;

internal static class Placeholder;
