using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace OrleansCompute.CodeGenerator.Grains;

/// <summary>
/// Emits, for the grain interfaces and grain classes declared in a compilation: a proxy per
/// interface, a request class (argument holder + invoker) per method, a factory per grain class,
/// and a module initializer registering all of them with <c>CodeRegistry</c>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class GrainGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var interfaces = context.SyntaxProvider.CreateSyntaxProvider(
            static (node, _) => node is InterfaceDeclarationSyntax { BaseList: not null },
            static (ctx, ct) => ctx.SemanticModel.GetDeclaredSymbol(ctx.Node, ct) is INamedTypeSymbol symbol && GrainModelBuilder.IsGrainInterface(symbol)
                ? GrainModelBuilder.BuildInterface(symbol)
                : null)
            .Where(static m => m is not null)
            .Collect();

        var classes = context.SyntaxProvider.CreateSyntaxProvider(
            static (node, _) => node is ClassDeclarationSyntax { BaseList: not null },
            static (ctx, ct) => ctx.SemanticModel.GetDeclaredSymbol(ctx.Node, ct) is INamedTypeSymbol symbol && GrainModelBuilder.IsGrainClass(symbol)
                ? GrainModelBuilder.BuildClass(symbol)
                : null)
            .Where(static m => m is not null)
            .Collect();

        context.RegisterSourceOutput(interfaces.Combine(classes), static (spc, pair) =>
        {
            // Partial declarations yield one model per declaration: keep one per type.
            var ifaceModels = Distinct(pair.Left!, m => m!.FullName);
            var classModels = Distinct(pair.Right!, m => m!.FullName);
            foreach (var d in ifaceModels.SelectMany(m => m!.Diagnostics).Concat(classModels.SelectMany(m => m!.Diagnostics)).Distinct())
            {
                spc.ReportDiagnostic(d.ToDiagnostic());
            }

            var goodInterfaces = ifaceModels.Where(m => m!.CanGenerate).Select(m => m!).ToList();
            var goodClasses = classModels.Where(m => m!.CanGenerate).Select(m => m!).ToList();
            if (goodInterfaces.Count == 0 && goodClasses.Count == 0)
            {
                return;
            }

            spc.AddSource("OrleansCompute.Grains.g.cs", GrainCodeEmitter.Emit(goodInterfaces, goodClasses));
        });
    }

    private static List<T> Distinct<T>(IEnumerable<T> items, System.Func<T, string> key)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        var result = new List<T>();
        foreach (var item in items)
        {
            if (seen.Add(key(item)))
            {
                result.Add(item);
            }
        }

        return result;
    }
}
