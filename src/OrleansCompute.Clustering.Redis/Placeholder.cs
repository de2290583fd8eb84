namespace OrleansCompute.Clustering.Redis;

internal static class Placeholder;
