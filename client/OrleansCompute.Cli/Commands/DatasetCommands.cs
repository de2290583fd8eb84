using System.CommandLine;
using OrleansCompute.Client.Contracts;

namespace OrleansCompute.Cli.Commands;

/// <summary><c>ocx top &lt;dataset&gt;</c> and <c>ocx datasets</c>.</summary>
public static class DatasetCommands
{
    public static Command Top(CommandRunner runner)
    {
        var dataset = new Argument<string>("dataset") { Description = "Dataset name" };
        var k = new Option<int>("--k", "-k") { Description = "How many keys", DefaultValueFactory = _ => 10, HelpName = "N" };
        var metric = new Option<string>("--metric") { Description = "events, or value:sum|count|min|max|mean (e.g. amount:sum)", DefaultValueFactory = _ => "events", HelpName = "metric" };
        var command = new Command("top", "Top keys of a dataset") { dataset, k, metric };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var count = context.Get(k);
            if (count is < 1 or > ApiLimits.MaxDatasetTopK)
            {
                throw new UsageException($"--k must be between 1 and {ApiLimits.MaxDatasetTopK} (the API's limit; was {count}).");
            }

            var top = await context.Client.GetTopAsync(context.Get(dataset), count, context.Get(metric) ?? "events", cancellationToken);
            if (context.Json)
            {
                CliJsonContext.Write(top, CliJsonContext.Default.TopKeysView);
            }
            else
            {
                Views.Top(context.Terminal.Out, top);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command List(CommandRunner runner)
    {
        var command = new Command("datasets", "List datasets with their event counts");
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var list = await context.Client.ListDatasetsAsync(cancellationToken);
            if (context.Json)
            {
                CliJsonContext.Write(list, CliJsonContext.Default.DatasetListView);
            }
            else
            {
                Views.Datasets(context.Terminal.Out, list);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Cluster(CommandRunner runner)
    {
        var command = new Command("cluster", "Silos of the cluster: status, activations, calls/s");
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var cluster = await context.Client.GetClusterAsync(cancellationToken);
            if (context.Json)
            {
                CliJsonContext.Write(cluster, CliJsonContext.Default.ClusterView);
            }
            else
            {
                Views.Cluster(context.Terminal.Out, cluster);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
