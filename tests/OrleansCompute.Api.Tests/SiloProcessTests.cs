using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OrleansCompute.Testing.Servers;

namespace OrleansCompute.Api.Tests;

/// <summary>The real silo executable co-hosting the API, called over real HTTP on a free loopback port.</summary>
public sealed class SiloProcessTests
{
    [Fact]
    public async Task Silo_executable_serves_health_ready_over_http()
    {
        var port = FreePort();
        var data = Directory.CreateTempSubdirectory("ocx-api-silo-").FullName;
        var output = new StringBuilder();
        using var process = Start(output, data,
            $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{port}",
            "--OrleansCompute:Storage:Provider=sqlite",
            $"--OrleansCompute:Storage:DataDirectory={data}");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            HttpStatusCode? status = null;
            string body = "";
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            {
                try
                {
                    using var response = await http.GetAsync("/health/ready");
                    status = response.StatusCode;
                    body = await response.Content.ReadAsStringAsync();
                    if (status == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(200);
            }

            Assert.True(status == HttpStatusCode.OK, $"ready never answered 200 (last {status}: {body})\n{Output(output)}");
            var health = JsonDocument.Parse(body).RootElement;
            Assert.Equal("ready", health.GetProperty("status").GetString());
            Assert.StartsWith("embedded:", health.GetProperty("node").GetString(), StringComparison.Ordinal);
            using var problem = await http.GetAsync("/api/jobs/nope");
            Assert.Equal(HttpStatusCode.NotFound, problem.StatusCode);
            Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Silo_refuses_to_start_when_the_api_listens_beyond_loopback_without_a_key()
    {
        var output = new StringBuilder();
        var data = Directory.CreateTempSubdirectory("ocx-api-silo-").FullName;
        using var process = Start(output, data, $"--OrleansCompute:Api:Urls:0=http://0.0.0.0:{FreePort()}", "--OrleansCompute:Storage:Provider=memory");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(2, process.ExitCode);
            Assert.Contains("OrleansCompute:Api:ApiKeys must hold at least one key", Output(output), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            Directory.Delete(data, recursive: true);
        }
    }

    private static Process Start(StringBuilder output, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(SiloProcess.SiloDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Output(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
