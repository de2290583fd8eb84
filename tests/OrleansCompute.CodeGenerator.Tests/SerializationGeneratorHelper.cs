using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OrleansCompute.CodeGenerator.Serialization;

namespace OrleansCompute.CodeGenerator.Tests;

/// <summary>Compiles a snippet with the serializer generator and reports what came out.</summary>
internal static class SerializationGeneratorHelper
{
    private static readonly ImmutableArray<MetadataReference> s_references = CreateReferences();
    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest);

    public sealed record Result(
        ImmutableArray<Diagnostic> GeneratorDiagnostics,
        ImmutableArray<Diagnostic> CompilationDiagnostics,
        ImmutableArray<string> GeneratedSources,
        Compilation Output);

    public static Result Run(string source, params MetadataReference[] extraReferences)
    {
        var compilation = CreateCompilation(source, "SnippetAssembly", extraReferences);
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new SerializerGenerator().AsSourceGenerator()], parseOptions: s_parseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var generated = driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()).ToImmutableArray();
        var compilationDiagnostics = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToImmutableArray();
        return new Result(generatorDiagnostics, compilationDiagnostics, generated, output);
    }

    /// <summary>Compiles <paramref name="source"/> (with the generator) into an in-memory library reference.</summary>
    public static MetadataReference CompileLibrary(string source, string assemblyName)
    {
        var compilation = CreateCompilation(source, assemblyName, []);
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new SerializerGenerator().AsSourceGenerator()], parseOptions: s_parseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        if (!emit.Success)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, emit.Diagnostics));
        }

        return MetadataReference.CreateFromImage(stream.ToArray());
    }

    private static CSharpCompilation CreateCompilation(string source, string assemblyName, MetadataReference[] extraReferences) =>
        CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(source, s_parseOptions)],
            s_references.AddRange(extraReferences),
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true,
                generalDiagnosticOption: ReportDiagnostic.Error));

    private static ImmutableArray<MetadataReference> CreateReferences()
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = trusted
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(GenerateSerializerAttribute).Assembly.Location));
        return [.. references];
    }
}
