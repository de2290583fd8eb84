using OrleansCompute.Hosting;

namespace OrleansCompute.Silo;

/// <summary>Turns <see cref="StorageSettings"/> into silo services; shared with tests that start this host.</summary>
public static class SiloConfiguration
{
    public const string DatabaseFileName = "grain-state.db";

    /// <summary>Null when the settings are usable, else a message naming the setting.</summary>
    public static string? Validate(StorageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!StorageSettings.Providers.Contains(settings.Provider, StringComparer.OrdinalIgnoreCase))
        {
            return $"OrleansCompute:Storage:Provider must be one of {string.Join(", ", StorageSettings.Providers)} (was '{settings.Provider}').";
        }

        if (string.IsNullOrWhiteSpace(settings.DataDirectory))
        {
            return "OrleansCompute:Storage:DataDirectory must name a folder.";
        }

        return null;
    }

    public static string DatabasePath(StorageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Path.Combine(Path.GetFullPath(settings.DataDirectory), DatabaseFileName);
    }

    public static void ConfigureStorage(ISiloBuilder silo, StorageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (string.Equals(settings.Provider, "memory", StringComparison.OrdinalIgnoreCase))
        {
            silo.AddMemoryGrainStorage();
            return;
        }

        var path = DatabasePath(settings);
        silo.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = path);
    }
}
