namespace OrleansCompute.Compute.Tests;

internal static class Placeholder;
