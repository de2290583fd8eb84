using Microsoft.Extensions.Options;
using OrleansCompute.Configuration;

namespace OrleansCompute.Hosting;

/// <summary>Start-up validation: every failure names the setting (as a configuration path) and why.</summary>
internal sealed class OptionsValidators :
    IValidateOptions<SiloOptions>, IValidateOptions<MessagingOptions>, IValidateOptions<GrainCollectionOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloOptions options)
    {
        var errors = new List<string>();
        RequireText(errors, "OrleansCompute:Silo:ClusterId", options.ClusterId);
        RequireText(errors, "OrleansCompute:Silo:ServiceId", options.ServiceId);
        RequireText(errors, "OrleansCompute:Silo:SiloName", options.SiloName);
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
