using System.Globalization;
using System.Net;
using System.Text.Json;
using OrleansCompute.Api.Security;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Api.Tests;

/// <summary>
/// "An API key is required beyond loopback", checked on the addresses Kestrel really binds: the real silo and API host
/// executables are started with a listen address on all interfaces (0.0.0.0, or <c>*</c> for ASPNETCORE_HTTP_PORTS) on a free
/// port, set through each configuration route, and no key. Each must exit with code 2 and the one-line reason, and no HTTP
/// request sent to it meanwhile (polled on 127.0.0.1 from the moment it starts) may get an answer. Every process is killed at
/// the end of its test, so nothing is left listening.
/// </summary>
public sealed class ListenAddressTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(90);

    public static TheoryData<string, string> Routes()
    {
        var data = new TheoryData<string, string>();
        foreach (var host in new[] { "silo", "api host" })
        {
            foreach (var route in new[] { "OrleansCompute:Api:Urls", "Kestrel:Endpoints on the command line", "Kestrel:Endpoints in appsettings.json", "--urls", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS" })
            {
                data.Add(host, route);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task An_address_beyond_loopback_without_a_key_stops_the_host_with_exit_code_2_before_any_request_is_answered(string host, string route)
    {
        var port = SiloProcess.FreePort(IPAddress.Any);
        var folder = Directory.CreateTempSubdirectory("ocx-listen-").FullName;
        var (environment, arguments) = Route(route, port, folder);
        await using var process = Start(host, folder, environment, arguments);
        try
        {
            var answered = new List<string>();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var exited = WaitForExitAsync(process);
            while (!exited.IsCompleted)
            {
                foreach (var path in new[] { "/api/jobs", "/health/live" })
                {
                    try
                    {
                        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"));
                        answered.Add($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                    {
                        // Not listening (yet, or any more), or held by the gate and then aborted: no answer.
                    }
                }

                Assert.True(answered.Count == 0, $"{host} ({route}) answered while its listen address was unchecked:\n{string.Join('\n', answered)}\n{process.Output}");
                await Task.WhenAny(exited, Task.Delay(20));
            }

            Assert.Equal(2, await exited);
            var reason = Assert.Single(process.Output.Split('\n'), l => l.StartsWith("Invalid configuration:", StringComparison.Ordinal));
            Assert.Contains("OrleansCompute:Api:ApiKeys must hold at least one key", reason, StringComparison.Ordinal);
            Assert.Contains(port.ToString(CultureInfo.InvariantCulture), reason, StringComparison.Ordinal);
        }
        finally
        {
            await process.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("api host")]
    public async Task With_a_key_the_host_listens_beyond_loopback_and_asks_for_the_key(string host)
    {
        var port = SiloProcess.FreePort(IPAddress.Any);
        var folder = Directory.CreateTempSubdirectory("ocx-listen-").FullName;
        await using var process = Start(host, folder, null, [$"--Kestrel:Endpoints:Http:Url=http://0.0.0.0:{port}", $"--OrleansCompute:Api:ApiKeys:0={ApiCluster.Key}"]);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await ApiCluster.WaitAsync(async () =>
            {
                Assert.False(process.HasExited, process.Output);
                try
                {
                    using var live = await http.GetAsync("/health/live");
                    return live.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, s_timeout, $"the {host} to listen on 0.0.0.0:{port}");

            using var withoutKey = await http.GetAsync("/api/jobs");
            await ApiCluster.AssertProblem(withoutKey, HttpStatusCode.Unauthorized, "needs a key");
            Assert.Contains("ApiKey", withoutKey.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            if (host == "silo")
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/jobs");
                request.Headers.Add("X-Api-Key", ApiCluster.Key);
                using var withKey = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
                Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(await withKey.Content.ReadAsStringAsync()).RootElement.GetProperty("jobs").ValueKind);
            }
        }
        finally
        {
            await process.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://127.1.2.3:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://unix:/run/ocx/api.sock", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("https://10.1.2.3:443", false)]
    [InlineData("http://api.example.com:80", false)]
    public void Loopback_and_local_sockets_are_local_every_other_address_is_not(string address, bool local)
    {
        Assert.Equal(local, ListenAddressGuard.IsLocal(address));
        var refusal = ListenAddressGuard.Check(["http://127.0.0.1:1", address], keyConfigured: false);
        Assert.Equal(local, refusal is null);
        Assert.Null(ListenAddressGuard.Check([address], keyConfigured: true));
    }

    private static (Dictionary<string, string> Environment, string[] Arguments) Route(string route, int port, string folder)
    {
        var url = $"http://0.0.0.0:{port}";
        var environment = new Dictionary<string, string>();
        var arguments = new List<string>();
        switch (route)
        {
            case "OrleansCompute:Api:Urls":
                arguments.Add($"--OrleansCompute:Api:Urls:0={url}");
                break;
            case "Kestrel:Endpoints on the command line":
                arguments.Add($"--Kestrel:Endpoints:Http:Url={url}");
                break;
            case "Kestrel:Endpoints in appsettings.json":
                File.WriteAllText(Path.Combine(folder, "appsettings.json"), $$"""{ "Kestrel": { "Endpoints": { "Http": { "Url": "{{url}}" } } } }""");
                break;
            case "--urls":
                arguments.Add("--urls");
                arguments.Add(url);
                break;
            case "ASPNETCORE_URLS":
                environment["ASPNETCORE_URLS"] = url;
                break;
            case "ASPNETCORE_HTTP_PORTS":
                environment["ASPNETCORE_HTTP_PORTS"] = port.ToString(CultureInfo.InvariantCulture); // binds http://*:port
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(route), route, null);
        }

        return (environment, [.. arguments]);
    }

    /// <summary>The silo (memory storage, free loopback silo and gateway ports) or the API host (a gateway port nothing listens on), in <paramref name="folder"/>.</summary>
    private static HostProcess Start(string host, string folder, Dictionary<string, string>? environment, string[] arguments)
    {
        var ports = LoopbackPorts.Allocate(2);
        return host == "silo"
            ? HostProcess.Start(host, HostProcess.SiloDll, folder, environment,
                [.. arguments, "--OrleansCompute:Storage:Provider=memory", $"--OrleansCompute:Endpoints:SiloPort={ports[0]}", $"--OrleansCompute:Endpoints:GatewayPort={ports[1]}"])
            : HostProcess.Start(host, HostProcess.ApiHostDll, folder, environment, [.. arguments, $"--OrleansCompute:Endpoints:GatewayPort={ports[0]}"]);
    }

    private static async Task<int> WaitForExitAsync(HostProcess process)
    {
        try
        {
            return await process.WaitForExitAsync(s_timeout);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{process.Name} did not exit within {s_timeout.TotalSeconds:0} s:\n{process.Output}");
        }
    }
}
