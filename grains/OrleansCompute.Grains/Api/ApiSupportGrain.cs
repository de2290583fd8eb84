using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Orleans;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Compute.Inputs;
using OrleansCompute.Grains.Compute.Jobs;
using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Grains.Api;

/// <summary>Implements <see cref="IApiSupportGrain"/> with the silo's own job registry and data roots.</summary>
[StatelessWorker]
public sealed class ApiSupportGrain : Grain, IApiSupportGrain
{
    public Task<JobSpecProblem?> Validate(ComputeJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var registry = ServiceProvider.GetService<ComputeJobRegistry>() ?? ComputeJobRegistry.CreateDefault();
        if (!registry.TryGet(spec.Kind, out _))
        {
            return Problem("kind", $"Unknown job kind '{spec.Kind}'. Registered kinds: {string.Join(", ", Kinds(registry))}.");
        }

        try
        {
            JobRunners.Create(ServiceProvider, spec);
        }
        catch (ArgumentException ex)
        {
            return Problem("options", $"Job kind '{spec.Kind}' refused its options: {ex.Message.Split(" (Parameter", 2)[0]}");
        }

        try
        {
            // Blob inputs (blob:container/prefix) are checked by the blob source, local paths under the data roots.
            var source = InputSources.Find(JobRunners.Sources(ServiceProvider), spec.Input.Path);
            var files = source is null
                ? new InputResolver(JobRunners.Roots(ServiceProvider)).Resolve(spec.Input.Path)
                : source.Resolve(spec.Input.Path);
            if (files.Count == 0)
            {
                return Problem("input.path", $"Input '{spec.Input.Path}' matches no file under the data roots.");
            }
        }
        catch (ComputeInputException ex)
        {
            return Problem("input.path", ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Problem("input.path", $"Input '{spec.Input.Path}' cannot be read: {ex.Message}");
        }

        return Task.FromResult<JobSpecProblem?>(null);
    }

    public Task<List<string>> GetKinds() =>
        Task.FromResult(Kinds(ServiceProvider.GetService<ComputeJobRegistry>() ?? ComputeJobRegistry.CreateDefault()));

    private static List<string> Kinds(ComputeJobRegistry registry) => [.. registry.Names.Order(StringComparer.Ordinal)];

    private static Task<JobSpecProblem?> Problem(string field, string message) =>
        Task.FromResult<JobSpecProblem?>(new JobSpecProblem { Field = field, Message = message });
}
