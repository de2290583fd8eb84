namespace OrleansCompute.Messaging.Transport;

/// <summary>What is on the other end of a connection.</summary>
internal enum PeerKind : byte
{
    Silo = 1,
    Client = 2,
}
