namespace OrleansCompute.Grains.Compute.Kinds;

/// <summary>The first K items under a total order: a full sort when K covers most items, else a bounded heap.</summary>
public static class TopK
{
    public static List<T> Select<T>(T[] items, int k, IComparer<T> order)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(order);
        k = Math.Clamp(k, 0, items.Length);
        if (k * 4L >= items.Length)
        {
            Array.Sort(items, order);
            return [.. items.AsSpan(0, k)];
        }

        // Max-heap of the best k seen so far by the order: its root is the worst of them.
        var heap = new PriorityQueue<T, T>(k + 1, Comparer<T>.Create((x, y) => order.Compare(y, x)));
        foreach (var item in items)
        {
            if (heap.Count < k)
            {
                heap.Enqueue(item, item);
            }
            else if (order.Compare(item, heap.Peek()) < 0)
            {
                heap.EnqueueDequeue(item, item);
            }
        }

        var result = new T[heap.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            result[i] = heap.Dequeue();
        }

        return [.. result];
    }
}
