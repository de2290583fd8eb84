using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using OrleansCompute.Cli.Commands;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Cli.Tests;

[CollectionDefinition(AzuriteServerFixture.CollectionName)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteServerFixture>;

/// <summary>
/// The real <c>ocx data upload</c> (dotnet exec of the built ocx.dll, output redirected) against a real Azurite; the
/// blobs are read back with the Azure SDK, and a real silo process configured with that Azurite runs wordcount on the
/// uploaded prefix.
/// </summary>
[Collection(AzuriteServerFixture.CollectionName)]
public sealed class DataUploadLiveTests(AzuriteServerFixture azurite) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ocx-upload-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _container = "ocx" + Guid.NewGuid().ToString("N")[..16];

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // nothing was written
        }
    }

    private static async Task<ProcessResult> Ocx(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var variables = new Dictionary<string, string?>
        {
            [DataCommands.ConnectionStringVariable] = null,
            [DataCommands.AzureConnectionStringVariable] = null,
            ["TERM"] = "xterm-256color",
            ["NO_COLOR"] = null,
            ["DOTNET_gcServer"] = "0",
        };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        var result = await ProcessRunner.RunAsync("dotnet", [Repository.OcxDll, .. args], variables);
        Assert.DoesNotContain('\u001b', result.StandardOutput);
        Assert.DoesNotContain('\u001b', result.StandardError);
        return result;
    }

    private Task<ProcessResult> Ocx(params string[] args) =>
        Ocx(new Dictionary<string, string?> { [DataCommands.ConnectionStringVariable] = azurite.ConnectionString }, args);

    private Dictionary<string, byte[]> WriteTree(string name, Dictionary<string, byte[]> files)
    {
        foreach (var (relative, bytes) in files)
        {
            var path = Path.Combine(_folder, name, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }

        return files;
    }

    private BlobContainerClient Container() => new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(_container);

#pragma warning disable CA5351 // Content-MD5 is the service's integrity check, not a security measure
    private static byte[] Md5(byte[] bytes) => MD5.HashData(bytes);
#pragma warning restore CA5351

    private async Task<byte[]?> Download(string blob)
    {
        var client = Container().GetBlobClient(blob);
        return await client.ExistsAsync() ? (await client.DownloadContentAsync()).Value.Content.ToArray() : null;
    }

    [Fact]
    public async Task Upload_of_a_directory_tree_puts_every_file_under_the_prefix_with_identical_bytes()
    {
        var files = WriteTree("tree", new Dictionary<string, byte[]>
        {
            ["a.txt"] = "alpha beta\n"u8.ToArray(),
            ["empty.txt"] = [],
            ["sub/b.csv"] = "x,y\n1,2\n"u8.ToArray(),
            ["sub/deeper/c d.bin"] = RandomNumberGenerator.GetBytes(700_000),
        });

        var result = await Ocx("data", "upload", Path.Combine(_folder, "tree"), $"{_container}/in/v1", "--parallel", "2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Uploaded 4 files", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"Job input: blob:{_container}/in/v1/\n", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{_container}/in/v1/sub/deeper/c d.bin", result.StandardError, StringComparison.Ordinal);
        var listed = new List<string>();
        await foreach (var item in Container().GetBlobsAsync(BlobTraits.None, BlobStates.None, "in/", CancellationToken.None))
        {
            listed.Add(item.Name);
            // The file's MD5 is stored as the blob's Content-MD5.
            Assert.Equal(Md5(files[item.Name["in/v1/".Length..]]), item.Properties.ContentHash);
        }

        Assert.Equal(["in/v1/a.txt", "in/v1/empty.txt", "in/v1/sub/b.csv", "in/v1/sub/deeper/c d.bin"], listed);
        foreach (var (relative, bytes) in files)
        {
            Assert.Equal(bytes, await Download("in/v1/" + relative));
        }
    }

    [Fact]
    public async Task Upload_json_reports_files_bytes_and_the_job_input_and_reads_the_azure_variable()
    {
        var file = Path.Combine(_folder, "one.txt");
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(file, "hello blob\n");

        var result = await Ocx(
            new Dictionary<string, string?> { [DataCommands.AzureConnectionStringVariable] = azurite.ConnectionString },
            "data", "upload", file, $"blob:{_container}/single/", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = JsonDocument.Parse(result.StandardOutput).RootElement;
        Assert.Equal(_container, json.GetProperty("container").GetString());
        Assert.Equal($"blob:{_container}/single/one.txt", json.GetProperty("input").GetString());
        Assert.Equal(1, json.GetProperty("files").GetInt32());
        Assert.Equal(11, json.GetProperty("bytes").GetInt64());
        Assert.Equal("single/one.txt", Assert.Single(json.GetProperty("blobs").EnumerateArray()).GetProperty("blob").GetString());
        Assert.Equal("hello blob\n"u8.ToArray(), await Download("single/one.txt"));
    }

    [Fact]
    public async Task A_wrong_account_key_exits_5_with_a_message_naming_the_key()
    {
        var file = Path.Combine(_folder, "x.txt");
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(file, "x\n");
        var wrongKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var wrong = $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={wrongKey};BlobEndpoint={azurite.Server.BlobEndpoint};";

        var result = await Ocx("data", "upload", file, $"{_container}/x/", "--connection-string", wrong);

        Assert.True(result.ExitCode == ExitCodes.AuthError, result.ToString());
        Assert.Contains("account name and key", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, result.StandardError, StringComparison.Ordinal);
        Assert.Equal("", result.StandardOutput);
        Assert.Null(await Download("x/x.txt"));
    }

    [Fact]
    public async Task Bad_input_exits_2_and_an_unreachable_endpoint_exits_4()
    {
        var missing = await Ocx("data", "upload", Path.Combine(_folder, "nope"), $"{_container}/x/");
        Assert.True(missing.ExitCode == ExitCodes.Usage, missing.ToString());
        Assert.Contains("neither a file nor a directory", missing.StandardError, StringComparison.Ordinal);

        Directory.CreateDirectory(_folder);
        var badContainer = await Ocx("data", "upload", _folder, "Bad_Container/x");
        Assert.True(badContainer.ExitCode == ExitCodes.Usage, badContainer.ToString());
        Assert.Contains("not a blob container name", badContainer.StandardError, StringComparison.Ordinal);

        var noConnection = await Ocx(new Dictionary<string, string?>(), "data", "upload", _folder, $"{_container}/x");
        Assert.True(noConnection.ExitCode == ExitCodes.Usage, noConnection.ToString());
        Assert.Contains(DataCommands.ConnectionStringVariable, noConnection.StandardError, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(_folder, "f.txt"), "f\n");
        var closed = $"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};BlobEndpoint=http://127.0.0.1:{LiveSilo.FreePort()}/{AzuriteServer.AccountName};";
        var unreachable = await Ocx("data", "upload", _folder, $"{_container}/x", "--connection-string", closed);
        Assert.True(unreachable.ExitCode == ExitCodes.CannotConnect, unreachable.ToString());
    }

    [Fact]
    public async Task A_file_larger_than_one_put_goes_in_parallel_blocks_with_checksums_and_arrives_identical()
    {
        // 40 MiB: above the 32 MiB single Put Blob, so the SDK sends 8 MiB blocks (MD5 checked per request) and commits them.
        var bytes = RandomNumberGenerator.GetBytes(40 * 1024 * 1024);
        WriteTree("big", new Dictionary<string, byte[]> { ["big.bin"] = bytes });

        var result = await Ocx("data", "upload", Path.Combine(_folder, "big", "big.bin"), $"{_container}/big/", "--parallel", "8", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(bytes.LongLength, JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("bytes").GetInt64());
        var blob = Container().GetBlockBlobClient("big/big.bin");
        var blocks = (await blob.GetBlockListAsync()).Value.CommittedBlocks.ToList();
        Assert.Equal(5, blocks.Count);
        Assert.Equal(Md5(bytes), (await blob.GetPropertiesAsync()).Value.ContentHash);
        Assert.Equal(bytes, await Download("big/big.bin"));
    }

    [Fact]
    public async Task No_overwrite_leaves_an_existing_blob_alone_and_exits_3_naming_it()
    {
        WriteTree("once", new Dictionary<string, byte[]> { ["f.txt"] = "first\n"u8.ToArray() });
        var first = await Ocx("data", "upload", Path.Combine(_folder, "once", "f.txt"), $"{_container}/once/");
        Assert.True(first.ExitCode == 0, first.ToString());
        WriteTree("once", new Dictionary<string, byte[]> { ["f.txt"] = "second\n"u8.ToArray() });

        var again = await Ocx("data", "upload", Path.Combine(_folder, "once", "f.txt"), $"{_container}/once/", "--no-overwrite");
        var replaced = await Ocx("data", "upload", Path.Combine(_folder, "once", "f.txt"), $"{_container}/once/", "--no-md5");

        Assert.True(again.ExitCode == ExitCodes.ApiError, again.ToString());
        Assert.Contains($"Blob '{_container}/once/f.txt' already exists (not overwritten)", again.StandardError, StringComparison.Ordinal);
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
        Assert.Equal("second\n"u8.ToArray(), await Download("once/f.txt"));
    }

    [Fact]
    public async Task Wordcount_on_the_uploaded_prefix_in_a_silo_reading_that_azurite_gives_the_exact_counts()
    {
        // alpha ×300, beta ×120, gamma ×45 spread over three files in two folders.
        var random = new Random(11);
        var words = Enumerable.Repeat("alpha", 300).Concat(Enumerable.Repeat("Beta", 120)).Concat(Enumerable.Repeat("GAMMA", 45)).OrderBy(_ => random.Next()).ToList();
        var parts = new[] { words[..150], words[150..300], words[300..] };
        WriteTree("corpus", new Dictionary<string, byte[]>
        {
            ["p1.txt"] = Text(parts[0]),
            ["more/p2.txt"] = Text(parts[1]),
            ["more/p3.txt"] = Text(parts[2]),
        });
        var upload = await Ocx("data", "upload", Path.Combine(_folder, "corpus"), $"{_container}/corpus/", "--json");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        var input = JsonDocument.Parse(upload.StandardOutput).RootElement.GetProperty("input").GetString()!;
        Assert.Equal($"blob:{_container}/corpus/", input);

        await using var silo = new LiveSilo([$"--OrleansCompute:Compute:Blob:ConnectionString={azurite.ConnectionString}"]);
        await silo.InitializeAsync();
        var run = await Ocx(
            new Dictionary<string, string?> { ["OCX_URL"] = silo.Url, ["OCX_API_KEY"] = LiveSilo.ApiKey },
            "job", "run", "wordcount", input, "--watch", "--json", "--split-size", "1k");

        Assert.True(run.ExitCode == 0, run + "\n--- silo\n" + silo.Output);
        var json = JsonDocument.Parse(run.StandardOutput).RootElement;
        Assert.Equal("completed", json.GetProperty("status").GetProperty("state").GetString());
        var counts = json.GetProperty("result").GetProperty("wordCount");
        Assert.Equal(465, counts.GetProperty("totalWords").GetInt64());
        var rows = counts.GetProperty("words").EnumerateArray().Select(w => (w.GetProperty("word").GetString(), w.GetProperty("count").GetInt64())).ToList();
        Assert.Equal([("alpha", 300L), ("beta", 120L), ("gamma", 45L)], rows);

        static byte[] Text(List<string> part)
        {
            var text = new StringBuilder();
            for (var i = 0; i < part.Count; i++)
            {
                text.Append(part[i]).Append(i % 7 == 6 ? ".\n" : " ");
            }

            return Encoding.UTF8.GetBytes(text.Append('\n').ToString());
        }
    }
}
