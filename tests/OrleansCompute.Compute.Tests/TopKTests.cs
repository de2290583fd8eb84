using OrleansCompute.Compute.Tests.Support;
using OrleansCompute.Grains.Compute;

namespace OrleansCompute.Compute.Tests;

public sealed class TopKTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Top_k_orders_by_the_aggregate_then_key_and_puts_missing_values_last()
    {
        _folder.Write("d.csv", "k,v\nb,5\na,5\nc,9\nd,\ne,1\nf,5\nd,\n"u8.ToArray());
        ComputeJobSpec Spec(string orderBy, bool descending, int k) => new()
        {
            JobId = "t",
            Kind = "top-k",
            Input = new InputSpec { Path = "d.csv", Format = InputFormat.Csv, TargetSplitBytes = 7 },
            GroupBy = new GroupByOptions { KeyColumns = ["k"], Aggregates = [AggregateSpec.Of(AggregateFunction.Max, "v"), AggregateSpec.Of(AggregateFunction.Count)] },
            TopK = new TopKOptions { OrderBy = orderBy, Descending = descending, K = k },
        };

        string Keys(ComputeJobSpec spec) => string.Join("", ((GroupByResult)Engine.Run(spec, _folder.Path, new Random(4)).Value!).Rows.Select(r => r.Key[0]));

        Assert.Equal("cabf", Keys(Spec("max(v)", true, 4)));
        Assert.Equal("eabfcd", Keys(Spec("MAX(v)", false, 10)));
        Assert.Equal("cabfed", Keys(Spec("max(v)", true, 10)));
        Assert.Equal("dabc", Keys(Spec("count", true, 4)));
        var all = (GroupByResult)Engine.Run(Spec("count", true, 1), _folder.Path).Value!;
        Assert.Equal(6, all.Groups);
        Assert.Equal(["max(v)", "count"], all.Aggregates);
    }

    [Fact]
    public void Word_count_top_k_breaks_ties_by_word()
    {
        _folder.Write("w.txt", "b a c b a d c e\n"u8.ToArray());
        var spec = new ComputeJobSpec { JobId = "w", Kind = "word-count", Input = new InputSpec { Path = "w.txt" }, TopK = new TopKOptions { K = 3 } };
        var result = (WordCountResult)Engine.Run(spec, _folder.Path).Value!;
        Assert.Equal(["a: 2", "b: 2", "c: 2"], result.Words.Select(w => w.ToString()));
        Assert.Equal(8, result.TotalWords);
        Assert.Equal(5, result.DistinctWords);
    }

    [Fact]
    public void Heap_selection_and_full_sort_agree()
    {
        var rng = new Random(9);
        var items = Enumerable.Range(0, 1000).Select(_ => rng.Next(50)).ToArray();
        var order = Comparer<int>.Create((x, y) => y.CompareTo(x));
        Assert.Equal(items.OrderByDescending(x => x).Take(10), Grains.Compute.Kinds.TopK.Select((int[])items.Clone(), 10, order));
        Assert.Equal(items.OrderByDescending(x => x).Take(600), Grains.Compute.Kinds.TopK.Select((int[])items.Clone(), 600, order));
    }
}
