using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;

namespace OrleansCompute.Hosting;

/// <summary>Start-up validation: every failure names the setting (as a configuration path) and why.</summary>
internal sealed class OptionsValidators(IServiceProvider services) :
    IValidateOptions<SiloOptions>, IValidateOptions<MessagingOptions>, IValidateOptions<GrainCollectionOptions>,
    IValidateOptions<EndpointOptions>, IValidateOptions<ClusterMembershipOptions>
{
    // Ask whether a table is registered without constructing it: its constructor may need these very options.
    private bool IsClustered =>
        services.GetService(typeof(Microsoft.Extensions.DependencyInjection.IServiceProviderIsService)) is Microsoft.Extensions.DependencyInjection.IServiceProviderIsService check
        && check.IsService(typeof(Membership.IMembershipTable));

    public ValidateOptionsResult Validate(string? name, EndpointOptions options)
    {
        var errors = new List<string>();
        if (!System.Net.IPAddress.TryParse(options.AdvertisedAddress, out _))
        {
            errors.Add($"OrleansCompute:Endpoints:AdvertisedAddress must be an IP address (was '{options.AdvertisedAddress}').");
        }

        if (options.ListenAddress is not null && !System.Net.IPAddress.TryParse(options.ListenAddress, out _))
        {
            errors.Add($"OrleansCompute:Endpoints:ListenAddress must be an IP address (was '{options.ListenAddress}').");
        }

        if (options.SiloPort is < 0 or > 65535)
        {
            errors.Add($"OrleansCompute:Endpoints:SiloPort must be 0-65535 (was {options.SiloPort}).");
        }

        if (options.GatewayPort is < -1 or > 65535)
        {
            errors.Add($"OrleansCompute:Endpoints:GatewayPort must be -1 (no gateway) or 0-65535 (was {options.GatewayPort}).");
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, ClusterMembershipOptions options)
    {
        var errors = new List<string>();
        RequirePositive(errors, "OrleansCompute:Membership:ProbeInterval", options.ProbeInterval);
        RequirePositive(errors, "OrleansCompute:Membership:ProbeTimeout", options.ProbeTimeout);
        RequirePositive(errors, "OrleansCompute:Membership:DeathVoteExpiration", options.DeathVoteExpiration);
        RequirePositive(errors, "OrleansCompute:Membership:TableRefreshInterval", options.TableRefreshInterval);
        RequirePositive(errors, "OrleansCompute:Membership:IAmAliveInterval", options.IAmAliveInterval);
        RequirePositive(errors, "OrleansCompute:Membership:TableOperationTimeout", options.TableOperationTimeout);
        if (options.IsolationFenceTimeout < TimeSpan.Zero)
        {
            errors.Add($"OrleansCompute:Membership:IsolationFenceTimeout must be zero (off) or positive (was {options.IsolationFenceTimeout}).");
        }

        if (options.MissedProbesLimit < 1)
        {
            errors.Add($"OrleansCompute:Membership:MissedProbesLimit must be at least 1 (was {options.MissedProbesLimit}).");
        }

        if (options.NumVotesForDeathDeclaration < 1)
        {
            errors.Add($"OrleansCompute:Membership:NumVotesForDeathDeclaration must be at least 1 (was {options.NumVotesForDeathDeclaration}).");
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, SiloOptions options)
    {
        var errors = new List<string>();
        RequireText(errors, "OrleansCompute:Silo:ClusterId", options.ClusterId);
        RequireText(errors, "OrleansCompute:Silo:ServiceId", options.ServiceId);
        RequireText(errors, "OrleansCompute:Silo:SiloName", options.SiloName);
        if (IsClustered && (options.ClusterSecret is null || options.ClusterSecret.Length < 16))
        {
            // Never echo the secret itself.
            errors.Add("OrleansCompute:Silo:ClusterSecret must be set to at least 16 characters when silos form a cluster.");
        }
        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, MessagingOptions options)
    {
        var errors = new List<string>();
        RequirePositive(errors, "OrleansCompute:Messaging:ResponseTimeout", options.ResponseTimeout);
        RequirePositive(errors, "OrleansCompute:Messaging:ResponseTimeoutCheckInterval", options.ResponseTimeoutCheckInterval);
        if (options.ActivationTurnBatch < 1)
        {
            errors.Add($"OrleansCompute:Messaging:ActivationTurnBatch must be at least 1 (was {options.ActivationTurnBatch}).");
        }

        return Result(errors);
    }

    public ValidateOptionsResult Validate(string? name, GrainCollectionOptions options)
    {
        var errors = new List<string>();
        RequirePositive(errors, "OrleansCompute:GrainCollection:CollectionAge", options.CollectionAge);
        RequirePositive(errors, "OrleansCompute:GrainCollection:CollectionQuantum", options.CollectionQuantum);
        RequirePositive(errors, "OrleansCompute:GrainCollection:DeactivationTimeout", options.DeactivationTimeout);
        RequirePositive(errors, "OrleansCompute:GrainCollection:ActivationTimeout", options.ActivationTimeout);
        return Result(errors);
    }

    private static void RequireText(List<string> errors, string path, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{path} must not be empty.");
        }
        else if (value.Any(c => char.IsWhiteSpace(c) || c is '/' or ':'))
        {
            errors.Add($"{path} must not contain spaces, '/' or ':' (was '{value}').");
        }
    }

    private static void RequirePositive(List<string> errors, string path, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{path} must be a positive time span such as 00:00:30 (was {value}).");
        }
    }

    private static ValidateOptionsResult Result(List<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
