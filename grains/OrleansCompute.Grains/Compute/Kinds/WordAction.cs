namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>Receives one word from <see cref="WordTokenizer"/> (the span is valid during the call).</summary>
public delegate void WordAction<in TState>(TState state, ReadOnlySpan<char> word);
