using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace OrleansCompute.CodeGenerator.Serialization;

/// <summary>
/// Private <c>[Id]</c> fields of <c>[GenerateSerializer]</c> types are written and read by the generated
/// codec (through <c>UnsafeAccessor</c>), which the compiler cannot see: suppress "never assigned",
/// "never used" and "make readonly" warnings for them so consumers building with warnings as errors are not broken.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SerializedMemberSuppressor : DiagnosticSuppressor
{
    private const string Justification = "The member is [Id]-serialized: the generated codec reads and writes it.";

    private static readonly SuppressionDescriptor s_neverAssigned = new("OCXS101", "CS0649", Justification);
    private static readonly SuppressionDescriptor s_neverUsed = new("OCXS102", "CS0169", Justification);
    private static readonly SuppressionDescriptor s_makeReadOnly = new("OCXS103", "IDE0044", Justification);
    private static readonly SuppressionDescriptor s_unusedMember = new("OCXS104", "IDE0051", Justification);
    private static readonly SuppressionDescriptor s_unreadMember = new("OCXS105", "IDE0052", Justification);

    public override ImmutableArray<SuppressionDescriptor> SupportedSuppressions { get; } =
        ImmutableArray.Create(s_neverAssigned, s_neverUsed, s_makeReadOnly, s_unusedMember, s_unreadMember);

    public override void ReportSuppressions(SuppressionAnalysisContext context)
    {
        foreach (var diagnostic in context.ReportedDiagnostics)
        {
            var tree = diagnostic.Location.SourceTree;
            if (tree is null)
            {
                continue;
            }

            var model = context.GetSemanticModel(tree);
            var node = tree.GetRoot(context.CancellationToken).FindNode(diagnostic.Location.SourceSpan);
            var symbol = model.GetDeclaredSymbol(node, context.CancellationToken);
            if (symbol is not (IFieldSymbol or IPropertySymbol)
                || !SymbolNames.HasAttribute(symbol, "OrleansCompute.IdAttribute")
                || symbol.ContainingType is null
                || !SymbolNames.HasAttribute(symbol.ContainingType, SerializerGenerator.GenerateSerializerAttributeName))
            {
                continue;
            }

            var descriptor = SupportedSuppressions.FirstOrDefault(s => s.SuppressedDiagnosticId == diagnostic.Id);
            if (descriptor is not null)
            {
                context.ReportSuppression(Suppression.Create(descriptor, diagnostic));
            }
        }
    }
}
