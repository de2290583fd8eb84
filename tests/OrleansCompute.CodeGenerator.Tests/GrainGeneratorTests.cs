using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OrleansCompute.CodeGenerator.Grains;

namespace OrleansCompute.CodeGenerator.Tests;

/// <summary>The grain generator's output compiles, and every OCX2xx diagnostic fires with a useful message.</summary>
public sealed class GrainGeneratorTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using OrleansCompute;
        using OrleansCompute.Concurrency;
        using OrleansCompute.Runtime;
        """;

    [Fact]
    public void Good_interfaces_and_grains_compile_without_diagnostics()
    {
        var (generatorDiagnostics, compileDiagnostics, generated) = Run("""
            namespace App;
            public interface IBase : IGrainWithStringKey { Task<int> Count(); }
            public interface IThing : IBase
            {
                Task Do(string a, int b);
                ValueTask<string> Name(CancellationToken ct);
                ValueTask Nothing();
                [OneWay] Task Fire(int x);
                [AlwaysInterleave, ResponseTimeout("00:00:05")] Task<string?> Maybe(string? value);
                Task<int> Do(int overload);
            }
            public sealed class State { public int X { get; set; } }
            public sealed class ThingGrain([PersistentState("s")] IPersistentState<State> state, IGrainFactory factory) : Grain, IThing
            {
                public Task<int> Count() => Task.FromResult(factory is null ? -1 : state.State.X);
                public Task Do(string a, int b) => Task.CompletedTask;
                public ValueTask<string> Name(CancellationToken ct) => new("x");
                public ValueTask Nothing() => default;
                public Task Fire(int x) => Task.CompletedTask;
                public Task<string?> Maybe(string? value) => Task.FromResult(value);
                public Task<int> Do(int overload) => Task.FromResult(overload);
            }
            """);
        Assert.Empty(generatorDiagnostics);
        Assert.Empty(compileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains("App_IThing_Proxy", generated);
        Assert.Contains("RegisterGrainClass", generated);
        Assert.Contains("\"thing\"", generated);
        Assert.Contains("InvokeMethodOptions.OneWay", generated);
        Assert.Contains("FromTicks(50000000L)", generated);
    }

    [Theory]
    [InlineData("OCX201", "public interface IG : IGrainWithStringKey { int Bad(); }", "must return Task")]
    [InlineData("OCX202", "public interface IG : IGrainWithStringKey { Task Bad(ref int x); }", "passed by reference")]
    [InlineData("OCX203", "public interface IG : IGrainWithStringKey { int Prop { get; } }", "properties, events and indexers")]
    [InlineData("OCX204", "public interface IG : IGrainWithStringKey { Task Bad<T>(T x); }", "generic grain methods")]
    [InlineData("OCX205", "public interface IG<T> : IGrainWithStringKey { Task Bad(T x); }", "generic grain interfaces")]
    [InlineData("OCX206", "public interface IG : IGrainWithStringKey { [OneWay] Task<int> Bad(); }", "one-way call has no response")]
    [InlineData("OCX207", "public interface IG : IGrainWithStringKey { Task Bad(CancellationToken ct, int x); }", "not its last parameter")]
    [InlineData("OCX208", "public interface IG : IGrainWithStringKey { Task A(); } public sealed class G : Grain, IG { private G() { } public Task A() => Task.CompletedTask; }", "no public or internal constructor")]
    [InlineData("OCX209", "public interface IG : IGrainWithStringKey { Task A(); } public sealed class G([PersistentState(\"s\")] string s) : Grain, IG { public Task A() => Task.CompletedTask; }", "declare it as IPersistentState<TState>")]
    [InlineData("OCX210", "public interface IG : IGrainWithStringKey { Task A(); } public sealed class G<T> : Grain, IG { public Task A() => Task.CompletedTask; }", "generic grain classes")]
    [InlineData("OCX211", "public class Outer { private interface IG : IGrainWithStringKey { Task A(); } }", "make it internal or public")]
    public void Unsupported_shapes_are_reported_at_compile_time(string id, string source, string messagePart)
    {
        var (diagnostics, _, _) = Run("namespace App;\n" + source);
        var diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(messagePart, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.NotEqual(Location.None, diagnostic.Location);
    }

    [Theory]
    [InlineData("CounterGrain", "counter")]
    [InlineData("Grain", "grain")]
    [InlineData("WordCount", "wordcount")]
    public void Grain_type_names_follow_the_Orleans_convention(string className, string expected) =>
        Assert.Equal(expected, GrainModelBuilder.DefaultGrainType(className));

    private static (ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Compile, string Generated) Run(string source)
    {
        var references = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && !string.IsNullOrEmpty(a.Location))
            .Select(a => MetadataReference.CreateFromFile(a.Location))
            .Append(MetadataReference.CreateFromFile(typeof(Grain).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions).Assembly.Location));
        var compilation = CSharpCompilation.Create("Test",
            [CSharpSyntaxTree.ParseText(Usings + "\n" + source, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create(new GrainGenerator())
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var generated = string.Join("\n", driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()));
        return (diagnostics, output.GetDiagnostics(), generated);
    }
}
