using Microsoft.CodeAnalysis;

namespace OrleansCompute.CodeGenerator.Tests;

public sealed class SerializationGeneratorTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using OrleansCompute;

        namespace Sample;

        """;

    [Fact]
    public void A_valid_set_of_types_generates_codecs_that_compile_without_any_warning()
    {
        var result = SerializationGeneratorHelper.Run(Usings + """
            [GenerateSerializer, Alias("sample.person")]
            public class Person
            {
                [Id(0)] public string Name { get; set; } = "";
                [Id(1)] public List<Person>? Friends { get; set; }
                [Id(2)] private int _secret;
                [Id(3)] public string InitOnly { get; init; } = "";
                [Id(4)] public int GetOnly { get; }
                [Id(5)] public Dictionary<string, int[]>? Scores { get; set; }
                [Id(6)] public object? Anything { get; set; }
                [Id(7)] public Exception? Error { get; set; }
                [Id(8)] public DayOfWeek Day { get; set; }
                [Id(9)] public (int, string)? Tuple { get; set; }
                public int Ignored { get; set; }
                public int Secret { get => _secret; set => _secret = value; }
            }

            [GenerateSerializer]
            public sealed class Employee : Person
            {
                [Id(0)] public Guid EmployeeId { get; set; }
            }

            [GenerateSerializer]
            public sealed record Point([property: Id(0)] int X, [property: Id(1)] int Y);

            [GenerateSerializer]
            public sealed record Named([Id(0)] string Name, [Id(1)] int Count = 3);

            [GenerateSerializer]
            public record struct Pair([property: Id(0)] int A, [property: Id(1)] long B);

            [GenerateSerializer]
            public struct Plain
            {
                [Id(0)] public int Value;
            }

            [GenerateSerializer]
            public sealed class Box<T> where T : notnull
            {
                [Id(0)] public T Value { get; set; } = default!;
                [Id(1)] public IReadOnlyList<Box<T>>? Children { get; set; }
            }

            public static class Outer
            {
                [GenerateSerializer]
                internal sealed class Inner
                {
                    private Inner() { }
                    [Id(0)] internal string? Text { get; private set; }
                }
            }

            [GenerateSerializer]
            public enum Color { Red, Green }
            """);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationDiagnostics);
        Assert.Contains(result.GeneratedSources, s => s.Contains("ModuleInitializer", StringComparison.Ordinal));
        Assert.Contains(result.GeneratedSources, s => s.Contains("RegisterAlias(typeof(global::Sample.Person), \"sample.person\")", StringComparison.Ordinal));
        Assert.Contains(result.GeneratedSources, s => s.Contains("RegisterGeneric(typeof(global::Sample.Box<>)", StringComparison.Ordinal));
        Assert.DoesNotContain(result.GeneratedSources, s => s.Contains("Sample_Color", StringComparison.Ordinal));
    }

    [Fact]
    public void OCX101_fires_on_a_duplicate_id()
    {
        var diagnostic = Single(Usings + """
            [GenerateSerializer]
            public class Dto
            {
                [Id(1)] public int A { get; set; }
                [Id(1)] public int B { get; set; }
            }
            """);

        Assert.Equal("OCX101", diagnostic.Id);
        Assert.Equal("Type 'Sample.Dto' uses [Id(1)] on both 'A' and 'B': give every serialized member of a type its own id", diagnostic.GetMessage());
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("OrleansCompute.Serialization", diagnostic.Descriptor.Category);
    }

    [Theory]
    [InlineData("Action", "System.Action")]
    [InlineData("Func<int>?", "System.Func<int>?")]
    [InlineData("NotSerializable", "Sample.NotSerializable")]
    [InlineData("List<NotSerializable>", "System.Collections.Generic.List<Sample.NotSerializable>")]
    [InlineData("int*", "int*")]
    [InlineData("int[,]", "int[*,*]")]
    public void OCX102_fires_on_a_member_of_an_unsupported_type(string memberType, string displayed)
    {
        var diagnostic = Single(Usings + $$"""
            public sealed class NotSerializable { }

            [GenerateSerializer]
            public unsafe class Dto
            {
                [Id(0)] public {{memberType}} Member;
            }
            """);

        Assert.Equal("OCX102", diagnostic.Id);
        Assert.Equal(
            $"Member 'Member' of 'Sample.Dto' has type '{displayed}', which cannot be serialized: add [GenerateSerializer] to that type, change the member's type, or remove [Id] from the member",
            diagnostic.GetMessage());
    }

    [Fact]
    public void OCX102_does_not_fire_for_a_GenerateSerializer_type_from_another_assembly()
    {
        var library = SerializationGeneratorHelper.CompileLibrary("""
            using OrleansCompute;
            namespace Library;
            [GenerateSerializer]
            public sealed class Shared { [Id(0)] public int Value { get; set; } }
            """, "LibraryAssembly");

        var result = SerializationGeneratorHelper.Run(Usings + """
            [GenerateSerializer]
            public sealed class Dto
            {
                [Id(0)] public Library.Shared? Shared { get; set; }
                [Id(1)] public List<Library.Shared>? Many { get; set; }
            }
            """, library);

        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilationDiagnostics);
    }

    [Fact]
    public void OCX103_fires_when_the_type_cannot_be_constructed()
    {
        var diagnostic = Single(Usings + """
            [GenerateSerializer]
            public sealed class Dto
            {
                public Dto(int a) { A = a; }
                [Id(0)] public int A { get; set; }
            }
            """);

        Assert.Equal("OCX103", diagnostic.Id);
        Assert.Equal(
            "Type 'Sample.Dto' cannot be created by the serializer: add a parameterless constructor (any accessibility) or declare it as a record with a primary constructor",
            diagnostic.GetMessage());
    }

    [Fact]
    public void OCX104_fires_on_a_member_that_cannot_be_set()
    {
        var diagnostic = Single(Usings + """
            [GenerateSerializer]
            public sealed class Dto
            {
                private int _a;
                [Id(0)] public int Computed => _a * 2;
            }
            """);

        Assert.Equal("OCX104", diagnostic.Id);
        Assert.Equal(
            "Member 'Computed' of 'Sample.Dto' has [Id] but cannot be set: add a setter or init accessor (any accessibility), make it an auto-property, or pass it to a constructor parameter of the same name",
            diagnostic.GetMessage());
    }

    [Fact]
    public void OCX104_fires_on_a_member_that_cannot_be_read()
    {
        var diagnostic = Single(Usings + """
            [GenerateSerializer]
            public sealed class Dto
            {
                [Id(0)] public int WriteOnly { set { } }
            }
            """);

        Assert.Equal("OCX104", diagnostic.Id);
        Assert.Equal("Member 'WriteOnly' of 'Sample.Dto' has [Id] but cannot be read: add a getter", diagnostic.GetMessage());
    }

    [Fact]
    public void OCX105_fires_on_a_private_type_or_a_type_nested_in_one()
    {
        var diagnostics = SerializationGeneratorHelper.Run(Usings + """
            public class Outer
            {
                [GenerateSerializer]
                private sealed class Hidden { [Id(0)] public int A { get; set; } }

                private sealed class PrivateContainer
                {
                    [GenerateSerializer]
                    public sealed class Inner { [Id(0)] public int A { get; set; } }
                }
            }
            """).GeneratorDiagnostics.OrderBy(d => d.GetMessage()).ToArray();

        Assert.Equal(2, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal("OCX105", d.Id));
        Assert.Equal(
            "Type 'Sample.Outer.Hidden' cannot get a generated serializer because it is private: make it (and every type containing it) public or internal",
            diagnostics[0].GetMessage());
        Assert.Equal(
            "Type 'Sample.Outer.PrivateContainer.Inner' cannot get a generated serializer because it is nested in private type 'Sample.Outer.PrivateContainer': make it (and every type containing it) public or internal",
            diagnostics[1].GetMessage());
    }

    [Fact]
    public void OCX106_fires_on_the_reserved_id()
    {
        var diagnostic = Single(Usings + """
            [GenerateSerializer]
            public sealed class Dto
            {
                [Id(4294967295)] public int A { get; set; }
            }
            """);

        Assert.Equal("OCX106", diagnostic.Id);
        Assert.Equal(
            "Member 'A' of 'Sample.Dto' uses [Id(4294967295)], which is reserved for base-class members: choose a smaller id",
            diagnostic.GetMessage());
    }

    [Fact]
    public void Diagnostics_point_at_the_offending_member()
    {
        var diagnostic = Single(Usings + """
            [GenerateSerializer]
            public class Dto
            {
                [Id(1)] public int A { get; set; }
                [Id(1)] public int Second { get; set; }
            }
            """);

        var span = diagnostic.Location.SourceSpan;
        Assert.Equal("Second", diagnostic.Location.SourceTree!.ToString().Substring(span.Start, span.Length));
    }

    private static Diagnostic Single(string source)
    {
        var result = SerializationGeneratorHelper.Run(source);
        return Assert.Single(result.GeneratorDiagnostics);
    }
}
