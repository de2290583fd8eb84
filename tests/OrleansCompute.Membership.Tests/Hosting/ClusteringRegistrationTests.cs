using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansCompute.Clustering.Redis;
using OrleansCompute.Configuration;
using OrleansCompute.GrainDirectory;
using OrleansCompute.Hosting;

namespace OrleansCompute.Membership.Tests.Hosting;

public sealed class ClusteringRegistrationTests
{
    [Fact]
    public async Task In_memory_clustering_and_directory_are_singletons_and_a_shared_instance_is_used_by_every_silo()
    {
        var sharedTable = new InMemoryMembershipTable("c1");
        var sharedDirectory = new InMemoryGrainDirectory();
        await using var silo1 = new ServiceCollection().UseInMemoryClustering(sharedTable).UseInMemoryGrainDirectory(sharedDirectory).BuildServiceProvider();
        await using var silo2 = new ServiceCollection().UseInMemoryClustering(sharedTable).UseInMemoryGrainDirectory(sharedDirectory).BuildServiceProvider();

        Assert.Same(sharedTable, silo1.GetRequiredService<IMembershipTable>());
        Assert.Same(sharedTable, silo2.GetRequiredService<IMembershipTable>());
        Assert.Same(sharedDirectory, silo1.GetRequiredService<IGrainDirectory>());
        Assert.Same(sharedDirectory, silo2.GetRequiredService<IGrainDirectory>());
    }

    [Fact]
    public async Task In_memory_clustering_without_a_shared_table_makes_one_for_the_configured_cluster()
    {
        var services = new ServiceCollection();
        services.Configure<SiloOptions>(o => o.ClusterId = "blue");
        services.UseInMemoryClustering().UseInMemoryGrainDirectory();
        await using var provider = services.BuildServiceProvider();

        var table = Assert.IsType<InMemoryMembershipTable>(provider.GetRequiredService<IMembershipTable>());
        Assert.Equal("blue", table.ClusterId);
        Assert.Same(table, provider.GetRequiredService<IMembershipTable>());
        Assert.IsType<InMemoryGrainDirectory>(provider.GetRequiredService<IGrainDirectory>());
    }

    [Fact]
    public async Task The_last_clustering_registration_wins()
    {
        var services = new ServiceCollection().UseInMemoryClustering().UseRedisClustering(o => o.ConnectionString = "127.0.0.1:1");
        services.UseRedisGrainDirectory(o => o.ConnectionString = "127.0.0.1:1").UseInMemoryGrainDirectory();
        await using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IMembershipTable));
        Assert.IsType<RedisMembershipTable>(provider.GetRequiredService<IMembershipTable>());
        Assert.IsType<InMemoryGrainDirectory>(provider.GetRequiredService<IGrainDirectory>());
    }

    [Fact]
    public async Task Redis_clustering_reads_service_and_cluster_ids_from_silo_options()
    {
        var services = new ServiceCollection();
        services.Configure<SiloOptions>(o =>
        {
            o.ServiceId = "shop";
            o.ClusterId = "eu-1";
        });
        services.UseRedisClustering(o => o.ConnectionString = "127.0.0.1:1").UseRedisGrainDirectory(o => o.ConnectionString = "127.0.0.1:1");
        await using var provider = services.BuildServiceProvider();

        Assert.Equal("shop/eu-1/members", Assert.IsType<RedisMembershipTable>(provider.GetRequiredService<IMembershipTable>()).TableKeyName);
        Assert.Equal("shop/eu-1/", Assert.IsType<RedisGrainDirectory>(provider.GetRequiredService<IGrainDirectory>()).KeyPrefix);
    }

    [Theory]
    [InlineData(null, "5", "ConnectionString")]
    [InlineData("", "5", "ConnectionString")]
    [InlineData("127.0.0.1:6379", "0", "OperationTimeout")]
    [InlineData("127.0.0.1:6379", "-1", "OperationTimeout")]
    public async Task Invalid_redis_options_fail_validation_naming_the_setting(string? connectionString, string timeoutSeconds, string setting)
    {
        var timeout = TimeSpan.FromSeconds(int.Parse(timeoutSeconds, System.Globalization.CultureInfo.InvariantCulture));
        var services = new ServiceCollection()
            .UseRedisClustering(o => (o.ConnectionString, o.OperationTimeout) = (connectionString, timeout))
            .UseRedisGrainDirectory(o => (o.ConnectionString, o.OperationTimeout) = (connectionString, timeout));
        await using var provider = services.BuildServiceProvider();

        var tableError = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisClusteringOptions>>().Value);
        var directoryError = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RedisGrainDirectoryOptions>>().Value);
        Assert.Contains($"RedisClusteringOptions.{setting}", tableError.Message, StringComparison.Ordinal);
        Assert.Contains($"RedisGrainDirectoryOptions.{setting}", directoryError.Message, StringComparison.Ordinal);
    }
}
