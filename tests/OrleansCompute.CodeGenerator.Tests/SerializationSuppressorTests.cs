using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using OrleansCompute.CodeGenerator.Serialization;

namespace OrleansCompute.CodeGenerator.Tests;

public sealed class SerializationSuppressorTests
{
    [Fact]
    public async Task Never_assigned_warnings_are_suppressed_only_for_serialized_private_fields()
    {
        var result = SerializationGeneratorHelper.Run("""
            using OrleansCompute;
            namespace Sample;

            [GenerateSerializer]
            public sealed class Dto
            {
                [Id(0)] private int _serialized;
                private int _plain;
                public int Sum => _serialized + _plain;
            }
            """);
        Assert.Equal(2, result.CompilationDiagnostics.Count(d => d.Id == "CS0649"));

        var analyzed = result.Output.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(new SerializedMemberSuppressor()),
            new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true));
        var diagnostics = (await analyzed.GetAllDiagnosticsAsync()).Where(d => d.Id == "CS0649").ToArray();

        Assert.Equal(2, diagnostics.Length);
        Assert.True(Assert.Single(diagnostics, d => d.GetMessage().Contains("_serialized", StringComparison.Ordinal)).IsSuppressed);
        Assert.False(Assert.Single(diagnostics, d => d.GetMessage().Contains("_plain", StringComparison.Ordinal)).IsSuppressed);
    }
}
