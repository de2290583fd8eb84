using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// The <c>OrleansCompute</c> meter and activity source report job progress, job submissions and ingest once someone
/// listens; grain calls and activations are measured by Orleans's own meter (<c>Microsoft.Orleans</c>).
/// </summary>
[Collection(ProcessMetersCollection.Name)] // a process-wide meter listener: nothing else may run meanwhile
public sealed class TelemetryTests(ApiCluster api)
{
    [Fact]
    public async Task Meter_and_activity_source_report_calls_jobs_and_ingest()
    {
        var totals = new ConcurrentDictionary<string, long>();
        var orleans = new ConcurrentDictionary<string, long>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name is "OrleansCompute" or "Microsoft.Orleans")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        void CountOrleans(Instrument instrument) => orleans.AddOrUpdate(instrument.Name, 1, (_, old) => old + 1);
        meters.SetMeasurementEventCallback<int>((instrument, _, _, _) => CountOrleans(instrument));
        meters.SetMeasurementEventCallback<double>((instrument, _, _, _) => CountOrleans(instrument));
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Meter.Name != "OrleansCompute")
            {
                CountOrleans(instrument);
                return;
            }

            var outcome = "";
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcome = "/" + tag.Value;
                }
            }

            totals.AddOrUpdate(instrument.Name + outcome, value, (_, old) => old + value);
        });
        meters.Start();
        var activities = new ConcurrentBag<string>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "OrleansCompute",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => activities.Add(activity.OperationName),
        };
        ActivitySource.AddActivityListener(tracing);

        var dataset = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        using (var first = await api.Http.PostAsync($"/api/datasets/{dataset}/events?producer=t&sequence=1",
                   ApiCluster.Json("""[{"key":"a","values":{"v":1}},{"key":"b","values":{"v":2}},{"key":"c"}]""")))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var again = await api.Http.PostAsync($"/api/datasets/{dataset}/events?producer=t&sequence=1",
                   ApiCluster.Json("""[{"key":"a","values":{"v":1}},{"key":"b","values":{"v":2}},{"key":"c"}]""")))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        api.WriteFile("telemetry/words.txt", "x y z\nx y\n");
        using var submit = await api.Http.PostAsync("/api/jobs", ApiCluster.Json("""{"kind":"word-count","input":{"path":"telemetry/words.txt"}}"""));
        var id = (await ApiCluster.ReadJson(submit)).GetProperty("id").GetString()!;
        Assert.Equal("completed", (await api.WaitForJob(id)).GetProperty("state").GetString());
        meters.RecordObservableInstruments();

        Assert.Equal(3, totals.GetValueOrDefault("orleanscompute.ingest.events/applied"));
        Assert.Equal(3, totals.GetValueOrDefault("orleanscompute.ingest.events/duplicate"));
        Assert.Equal(2, totals.GetValueOrDefault("orleanscompute.ingest.batches"));
        Assert.Equal(1, totals.GetValueOrDefault("orleanscompute.jobs.submitted"));
        Assert.True(totals.GetValueOrDefault("orleanscompute.jobs.splits") >= 1, string.Join(", ", totals));
        Assert.True(totals.GetValueOrDefault("orleanscompute.jobs.records") >= 2, string.Join(", ", totals));
        // Grain calls are Orleans's to measure now (meter Microsoft.Orleans: messaging, requests, activations), not ours.
        Assert.True(!orleans.IsEmpty, "no measurement from Orleans's meter");
        // The job's state is persisted as completed before its run (and that run's activity) ends: wait for it.
        await ApiCluster.WaitAsync(() => Task.FromResult(activities.Contains("job run")), TimeSpan.FromSeconds(10), "the job run activity");

        Assert.Contains("job submit", activities);
        Assert.Contains("job run", activities);
    }
}
