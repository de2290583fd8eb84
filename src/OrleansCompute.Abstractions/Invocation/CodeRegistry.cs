using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;

namespace OrleansCompute.Invocation;

/// <summary>
/// Process-wide registry that generated code fills from module initializers: grain interfaces
/// (proxy factories) and grain classes (factories and metadata). The runtime reads it at start-up
/// and when a reference to an unknown interface is first requested.
/// </summary>
public static class CodeRegistry
{
    private static readonly ConcurrentDictionary<Type, GrainInterfaceMetadata> s_interfaces = new();
    private static readonly ConcurrentDictionary<Type, GrainClassMetadata> s_classes = new();
    private static readonly ConcurrentDictionary<Assembly, bool> s_initializedAssemblies = new();
    private static readonly ConcurrentDictionary<string, Func<GrainRequest>> s_requests = new(StringComparer.Ordinal);
    private static List<Assembly>? s_scannedFolder;

    /// <summary>Called by generated module initializers.</summary>
    public static void RegisterGrainInterface(GrainInterfaceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        s_interfaces.TryAdd(metadata.InterfaceType, metadata);
    }

    /// <summary>Called by generated module initializers.</summary>
    public static void RegisterGrainClass(GrainClassMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        s_classes.TryAdd(metadata.GrainClass, metadata);
    }

    /// <summary>Called by generated module initializers: how to create an empty request for a wire request key.</summary>
    public static void RegisterRequest(string requestKey, Func<GrainRequest> factory)
    {
        ArgumentNullException.ThrowIfNull(requestKey);
        ArgumentNullException.ThrowIfNull(factory);
        s_requests.TryAdd(requestKey, factory);
    }

    /// <summary>An empty request for <paramref name="requestKey"/>, or null when no loaded assembly declares that method.</summary>
    public static GrainRequest? TryCreateRequest(string requestKey) =>
        s_requests.TryGetValue(requestKey, out var factory) ? factory() : null;

    public static bool TryGetGrainInterface(Type interfaceType, out GrainInterfaceMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(interfaceType);
        if (s_interfaces.TryGetValue(interfaceType, out metadata!))
        {
            return true;
        }

        // The interface's assembly may not have run its module initializer yet.
        EnsureRegistered(interfaceType.Assembly);
        return s_interfaces.TryGetValue(interfaceType, out metadata!);
    }

    /// <summary>A generated proxy of <typeparamref name="TGrainInterface"/> for <paramref name="grainId"/>, sending through <paramref name="runtime"/>.</summary>
    public static TGrainInterface CreateReference<TGrainInterface>(IGrainReferenceRuntime runtime, Runtime.GrainId grainId)
    {
        if (!TryGetGrainInterface(typeof(TGrainInterface), out var metadata))
        {
            throw new ArgumentException(
                $"{typeof(TGrainInterface).FullName} has no generated proxy. Grain interfaces must derive from IGrainWith...Key and be compiled with the OrleansCompute code generator.");
        }

        return (TGrainInterface)(object)metadata.ProxyFactory(runtime, grainId);
    }

    /// <summary>Every grain class registered so far.</summary>
    public static ICollection<GrainClassMetadata> GrainClasses => s_classes.Values;

    /// <summary>Runs the module initializer of <paramref name="assembly"/> (where generated code registers itself).</summary>
    public static void EnsureRegistered(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        if (s_initializedAssemblies.TryAdd(assembly, true))
        {
            RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        }
    }

    /// <summary>
    /// Registers every loaded assembly that references OrleansCompute.Abstractions, plus such
    /// assemblies referenced (transitively) by the entry assembly. Called once at silo start-up.
    /// </summary>
    public static void EnsureApplicationRegistered()
    {
        var abstractionsName = typeof(CodeRegistry).Assembly.GetName().Name!;
        var pending = new Stack<Assembly>(AppDomain.CurrentDomain.GetAssemblies());
        foreach (var candidate in ApplicationAssembliesUsing(abstractionsName))
        {
            pending.Push(candidate);
        }

        if (Assembly.GetEntryAssembly() is { } entry)
        {
            pending.Push(entry);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var assembly = pending.Pop();
            if (assembly.IsDynamic || !seen.Add(assembly.FullName ?? assembly.GetName().Name ?? string.Empty))
            {
                continue;
            }

            var references = assembly.GetReferencedAssemblies();
            var usesAbstractions = false;
            foreach (var reference in references)
            {
                if (reference.Name == abstractionsName)
                {
                    usesAbstractions = true;
                }
            }

            if (!usesAbstractions)
            {
                continue;
            }

            EnsureRegistered(assembly);
            foreach (var reference in references)
            {
                if (IsFrameworkAssembly(reference.Name))
                {
                    continue;
                }

                try
                {
                    pending.Push(Assembly.Load(reference));
                }
                catch (FileNotFoundException)
                {
                    // Referenced but not deployed (compile-time only): nothing to register.
                }
            }
        }
    }

    /// <summary>
    /// Assemblies in the application folder that reference <paramref name="abstractionsName"/>. Needed because
    /// the compiler drops references to assemblies whose types the host never names (a silo rarely names its
    /// grain classes). Only metadata is read; matching assemblies are then loaded. Done once per process.
    /// </summary>
    private static List<Assembly> ApplicationAssembliesUsing(string abstractionsName)
    {
        lock (s_initializedAssemblies)
        {
            if (s_scannedFolder is not null)
            {
                return s_scannedFolder;
            }

            var found = new List<Assembly>();
            foreach (var path in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            {
                var fileName = Path.GetFileNameWithoutExtension(path);
                if (IsFrameworkAssembly(fileName) || fileName == abstractionsName || !ReferencesAssembly(path, abstractionsName))
                {
                    continue;
                }

                try
                {
                    found.Add(Assembly.Load(AssemblyName.GetAssemblyName(path)));
                }
                catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // Not loadable in this process (another framework, a native file): skip it.
                }
            }

            s_scannedFolder = found;
            return found;
        }
    }

    private static bool ReferencesAssembly(string path, string name)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return false;
            }

            var metadata = pe.GetMetadataReader();
            foreach (var handle in metadata.AssemblyReferences)
            {
                if (metadata.StringComparer.Equals(metadata.GetAssemblyReference(handle).Name, name))
                {
                    return true;
                }
            }
        }
        catch (BadImageFormatException)
        {
            // A native library with a .dll name.
        }

        return false;
    }

    private static bool IsFrameworkAssembly(string? name) => name is null
        || name.StartsWith("System", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.", StringComparison.Ordinal)
        || name == "netstandard" || name == "mscorlib";
}
