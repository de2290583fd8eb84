namespace OrleansCompute.Runtime;

/// <summary>This silo's identity (Orleans's <c>ILocalSiloDetails</c>).</summary>
public interface ILocalSiloDetails
{
    /// <summary>The silo's address; null for a silo that is not clustered.</summary>
    SiloAddress? SiloAddress { get; }

    string Name { get; }
}
