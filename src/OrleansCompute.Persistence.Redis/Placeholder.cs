namespace OrleansCompute.Persistence.Redis;

internal static class Placeholder;
