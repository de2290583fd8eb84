using OrleansCompute.Runtime;

namespace OrleansCompute.Membership;

/// <summary>One silo's vote that another silo is dead, and when it was cast.</summary>
public sealed record SuspectVote(SiloAddress Voter, DateTimeOffset Time);
