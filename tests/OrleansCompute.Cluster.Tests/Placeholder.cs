namespace OrleansCompute.Cluster.Tests;

internal static class Placeholder;
