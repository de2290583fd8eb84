namespace OrleansCompute.Messaging.Transport;

/// <summary>A message exceeded <c>OrleansCompute:Messaging:MaxMessageSize</c>; only that call fails.</summary>
public sealed class MessageTooLargeException(string message) : Exception(message);
