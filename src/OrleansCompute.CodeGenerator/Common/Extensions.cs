using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace OrleansCompute.CodeGenerator.Common;

internal static class Extensions
{
    public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items)
        where T : System.IEquatable<T> => new(items.ToImmutableArray());

    public static T[] ToArray<T>(this ImmutableArray<string> items)
        where T : class => items.Cast<T>().ToArray();
}
