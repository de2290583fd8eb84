using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Orleans;
using OrleansCompute.Grains.Compute;
using OrleansCompute.Grains.Jobs;

namespace OrleansCompute.Chaos.Tests;

/// <summary>Word-count jobs run through the grains over a generated file, each checked against an in-test reference.</summary>
internal static class WordCountJobs
{
    public sealed record Outcome(string Id, bool Exact, string Problem, TimeSpan Took);

    /// <summary>
    /// Submits word-count jobs one after another until <paramref name="stop"/>; each is followed to its end (a submitted
    /// job must finish, whatever the stop signal says) and its result compared with <paramref name="reference"/>.
    /// </summary>
    public static async Task RunAsync(IClusterClient client, string idPrefix, string inputFile, Dictionary<string, long> reference,
        ConcurrentQueue<Outcome> outcomes, CancellationToken stop)
    {
        for (var n = 0; n < 1000 && !stop.IsCancellationRequested; n++)
        {
            var id = $"{idPrefix}-{Guid.NewGuid():N}"[..24];
            var spec = new ComputeJobSpec
            {
                JobId = id,
                Kind = "word-count",
                Input = new InputSpec { Path = inputFile, Format = InputFormat.Text, TargetSplitBytes = 64 * 1024 },
                WordCount = new WordCountOptions(),
            };
            var job = client.GetGrain<IJobGrain>(id);
            var clock = Stopwatch.StartNew();
            JobStatus? status = null;
            var submitted = false;
            // A job is followed for at most 4 minutes, whatever the stop signal says: a submitted job must finish.
            while (clock.Elapsed < TimeSpan.FromMinutes(4))
            {
                try
                {
                    if (!submitted)
                    {
                        await job.Submit(spec).WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
                        submitted = true;
                    }

                    status = await job.GetStatus().WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
                    if (status.State is JobState.Completed or JobState.Failed or JobState.Cancelled)
                    {
                        break;
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A silo died under the call: ask again (Submit is idempotent for the same spec).
                }

                await Task.Delay(300, CancellationToken.None);
            }

            if (!submitted)
            {
                // Never accepted (the submit never got an answer): not a submitted job. Stop trying if asked to.
                continue;
            }

            if (status?.State != JobState.Completed)
            {
                outcomes.Enqueue(new Outcome(id, false, $"ended {status?.State.ToString() ?? "unknown"} after {clock.Elapsed}: {status?.Error}", clock.Elapsed));
                continue;
            }

            ComputeJobResult? result = null;
            for (var attempt = 0; attempt < 20 && result is null; attempt++)
            {
                try
                {
                    result = await job.GetResult().WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    await Task.Delay(500, CancellationToken.None);
                }
            }

            outcomes.Enqueue(Compare(id, result?.Value as WordCountResult, reference, clock.Elapsed));
        }
    }

    private static Outcome Compare(string id, WordCountResult? result, Dictionary<string, long> reference, TimeSpan took)
    {
        if (result is null)
        {
            return new Outcome(id, false, "no word-count result", took);
        }

        var total = reference.Values.Sum();
        if (result.TotalWords != total || result.DistinctWords != reference.Count || result.Words.Count != reference.Count)
        {
            return new Outcome(id, false, $"total {result.TotalWords} (want {total}), distinct {result.DistinctWords}/{result.Words.Count} (want {reference.Count})", took);
        }

        foreach (var word in result.Words)
        {
            if (reference.GetValueOrDefault(word.Word) != word.Count)
            {
                return new Outcome(id, false, $"'{word.Word}': {word.Count}, want {reference.GetValueOrDefault(word.Word)}", took);
            }
        }

        return new Outcome(id, true, "", took);
    }

    /// <summary>A file of <paramref name="lines"/> lines of lowercase ASCII words (spaces and newlines only) and its reference count.</summary>
    public static (string Path, Dictionary<string, long> Counts) WriteWordFile(string root, Random random, int lines)
    {
        var vocabulary = Enumerable.Range(0, 400).Select(i => Word(random, i)).Distinct(StringComparer.Ordinal).ToArray();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var text = new StringBuilder();
        for (var line = 0; line < lines; line++)
        {
            var words = random.Next(3, 15);
            for (var w = 0; w < words; w++)
            {
                // Skewed: low indexes are frequent, like real text.
                var word = vocabulary[(int)(vocabulary.Length * Math.Pow(random.NextDouble(), 2))];
                counts[word] = counts.GetValueOrDefault(word) + 1;
                text.Append(word).Append(w + 1 < words ? ' ' : '\n');
            }
        }

        var path = Path.Combine(root, "words.txt");
        File.WriteAllText(path, text.ToString());
        return (path, counts);
    }

    private static string Word(Random random, int index)
    {
        var letters = new char[random.Next(3, 9)];
        for (var i = 0; i < letters.Length; i++)
        {
            letters[i] = (char)('a' + random.Next(26));
        }

        return new string(letters) + ((char)('a' + (index % 26))).ToString();
    }
}
