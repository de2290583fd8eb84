using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace OrleansCompute.Deployment.Tests;

/// <summary>The files under <c>silo/deploy</c>, read the way their tools read them.</summary>
internal static partial class DeploymentFiles
{
    public static string Root => Testing.Servers.RepositoryPaths.Root;

    public static string Deploy => Path.Combine(Root, "silo", "deploy");

    public static IEnumerable<string> Manifests => Directory.EnumerateFiles(Path.Combine(Deploy, "kubernetes"), "*.yaml").Order(StringComparer.Ordinal);

    /// <summary>Every object of every manifest, parsed strictly (an unknown field or kind throws).</summary>
    public static IReadOnlyList<(string File, object Object)> KubernetesObjects() =>
        [.. Manifests.SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(file), strict: true).Select(o => (Path.GetFileName(file), o)))];

    public static T Single<T>() => KubernetesObjects().Select(o => o.Object).OfType<T>().Single();

    /// <summary>The <c>ENV</c> settings of the Dockerfile's final stage (continuation lines joined).</summary>
    public static Dictionary<string, string> DockerfileEnvironment()
    {
        var text = ContinuationLine().Replace(File.ReadAllText(Path.Combine(Deploy, "Dockerfile")), " ");
        var finalStage = text[text.LastIndexOf("\nFROM ", StringComparison.Ordinal)..];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in finalStage.Split('\n').Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)))
        {
            foreach (Match pair in EnvPair().Matches(line[4..]))
            {
                environment[pair.Groups["key"].Value] = pair.Groups["value"].Value;
            }
        }

        return environment;
    }

    /// <summary>
    /// A container's environment as the kubelet would give it: literal values, fields and secrets resolved from
    /// <paramref name="fields"/> and <paramref name="secrets"/>, <c>$(VAR)</c> references expanded from earlier entries.
    /// </summary>
    public static Dictionary<string, string> Resolve(IEnumerable<V1EnvVar> env, IReadOnlyDictionary<string, string> fields, IReadOnlyDictionary<string, string> secrets)
    {
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in env)
        {
            var value = variable.Value is { } literal
                ? VariableReference().Replace(literal, m => resolved.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value)
                : variable.ValueFrom?.FieldRef is { } field ? fields[field.FieldPath]
                : variable.ValueFrom?.SecretKeyRef is { } secret ? secrets[$"{secret.Name}/{secret.Key}"]
                : throw new InvalidOperationException($"{variable.Name}: no value");
            resolved[variable.Name] = value;
        }

        return resolved;
    }

    [GeneratedRegex(@"\\\r?\n\s*")]
    private static partial Regex ContinuationLine();

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>""[^""]*""|\S+)")]
    private static partial Regex EnvPair();

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();
}
