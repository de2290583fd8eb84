namespace OrleansCompute.Membership.Tests;

internal static class Placeholder;
