using System.Diagnostics;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using OrleansCompute.Api;
using OrleansCompute.Silo;
using OrleansCompute.Testing.Servers;
using Xunit.Abstractions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace OrleansCompute.Deployment.Tests;

/// <summary>
/// The deployment files (silo/deploy) as far as this machine can check them without a container engine or a cluster:
/// every Kubernetes manifest parses strictly into the Kubernetes object models; the silo Deployment has what Orleans's
/// Kubernetes hosting needs; the environment each container would get (Dockerfile ENV + manifest or compose settings) passes
/// the silo's own start-up validation; and the Dockerfile's build steps publish a silo that starts and reports healthy.
/// </summary>
public sealed class DeploymentTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> s_podFields = new(StringComparer.Ordinal)
    {
        ["metadata.labels['orleans/serviceId']"] = "orleanscompute",
        ["metadata.labels['orleans/clusterId']"] = "prod",
        ["metadata.namespace"] = "orleanscompute",
        ["metadata.name"] = "orleanscompute-silo-7d9f-abcde",
        ["status.podIP"] = "10.244.1.17",
    };

    [Fact]
    public void Every_manifest_parses_strictly_into_known_Kubernetes_objects()
    {
        var objects = DeploymentFiles.KubernetesObjects();

        Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject>(o.Object));
        var kinds = objects.Select(o => ((IKubernetesObject)o.Object).Kind).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["Deployment", "Namespace", "PodDisruptionBudget", "Role", "RoleBinding", "Secret", "Service", "Service", "ServiceAccount", "StatefulSet"], kinds);
        Assert.All(objects.Select(o => o.Object).OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1Namespace),
            o => Assert.Equal("orleanscompute", o.Metadata.NamespaceProperty));

        // Strict really is strict: a misspelt field fails.
        var misspelt = File.ReadAllText(Path.Combine(DeploymentFiles.Deploy, "kubernetes", "silo.yaml"))
            .Replace("terminationGracePeriodSeconds", "terminationGracePeriodSecs", StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => k8s.KubernetesYaml.LoadAllFromString(misspelt, strict: true));
    }

    [Fact]
    public void The_silo_deployment_has_what_Orleans_Kubernetes_hosting_needs()
    {
        var deployment = DeploymentFiles.Single<V1Deployment>();
        var pod = deployment.Spec.Template;
        var container = Assert.Single(pod.Spec.Containers);
        var env = container.Env.ToDictionary(e => e.Name);

        // Orleans's hosting reads these labels (through ORLEANS_*), the pod's name, namespace and IP.
        Assert.Equal("orleanscompute", pod.Metadata.Labels["orleans/serviceId"]);
        Assert.Equal("prod", pod.Metadata.Labels["orleans/clusterId"]);
        Assert.Equal("metadata.labels['orleans/serviceId']", env["ORLEANS_SERVICE_ID"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.labels['orleans/clusterId']", env["ORLEANS_CLUSTER_ID"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.name", env["POD_NAME"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("status.podIP", env["POD_IP"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("true", env["OrleansCompute__Hosting__Kubernetes"].Value);

        // RBAC: the pod's service account may read, watch and delete pods in its namespace.
        var account = DeploymentFiles.Single<V1ServiceAccount>();
        var binding = DeploymentFiles.Single<V1RoleBinding>();
        var role = DeploymentFiles.Single<V1Role>();
        Assert.Equal(account.Metadata.Name, pod.Spec.ServiceAccountName);
        Assert.Contains(binding.Subjects, s => s.Kind == "ServiceAccount" && s.Name == account.Metadata.Name);
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        var pods = Assert.Single(role.Rules, r => r.Resources.Contains("pods"));
        Assert.Superset(new HashSet<string> { "get", "list", "watch", "delete" }, pods.Verbs.ToHashSet());

        // Probes on the silo's health endpoints, a drain window longer than the host's shutdown timeout, a PDB over the pods.
        Assert.Equal("/health/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/health/live", container.LivenessProbe.HttpGet.Path);
        Assert.Contains(container.Ports, p => p.Name == container.ReadinessProbe.HttpGet.Port.Value);
        var drain = TimeSpan.Parse(env["OrleansCompute__Hosting__DrainTimeout"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(pod.Spec.TerminationGracePeriodSeconds > drain.TotalSeconds, $"the grace period must exceed the silo's drain time ({drain})");
        var budget = DeploymentFiles.Single<V1PodDisruptionBudget>();
        Assert.All(budget.Spec.Selector.MatchLabels, l => Assert.Equal(l.Value, pod.Metadata.Labels[l.Key]));
        Assert.True(pod.Spec.SecurityContext.RunAsNonRoot);
        Assert.Contains(container.Ports, p => p.ContainerPort == 11111);
        Assert.Contains(container.Ports, p => p.ContainerPort == 30000);
    }

    [Fact]
    public void The_environment_each_container_gets_passes_the_silos_own_start_up_checks()
    {
        var image = DeploymentFiles.DockerfileEnvironment();
        Assert.Equal("redis", image["OrleansCompute__Clustering__Provider"]);

        // Kubernetes: image ENV + the Deployment's env, with pod fields and the example secret's values.
        var secret = DeploymentFiles.Single<V1Secret>();
        var secrets = secret.StringData.ToDictionary(kv => $"{secret.Metadata.Name}/{kv.Key}", kv => kv.Value, StringComparer.Ordinal);
        var container = Assert.Single(DeploymentFiles.Single<V1Deployment>().Spec.Template.Spec.Containers);
        var kubernetes = Merge(image, DeploymentFiles.Resolve(container.Env, s_podFields, secrets));
        Assert.Equal("10.244.1.17", kubernetes["OrleansCompute__Endpoints__AdvertisedAddress"]);
        AssertValid("kubernetes", kubernetes);

        // Compose: image ENV + each silo service's environment.
        var compose = LoadCompose();
        var services = (Dictionary<object, object>)compose["services"];
        Assert.Superset(new HashSet<string> { "redis", "azurite", "silo1", "silo2", "silo3" }, services.Keys.Select(k => (string)k).ToHashSet());
        foreach (var name in new[] { "silo1", "silo2", "silo3" })
        {
            var service = (Dictionary<object, object>)services[name];
            Assert.Equal("silo/deploy/Dockerfile", ((Dictionary<object, object>)service["build"])["dockerfile"]);
            var environment = ((Dictionary<object, object>)service["environment"]).ToDictionary(
                kv => (string)kv.Key, kv => Regex.Replace((string)kv.Value, @"\$\{OCX_API_KEY[^}]*\}", "compose-test-key-0123456789abcdef"), StringComparer.Ordinal);
            AssertValid(name, Merge(image, environment));
        }
    }

    [Fact]
    public async Task The_Dockerfile_build_steps_publish_a_silo_that_starts_and_reports_healthy()
    {
        var dockerfile = File.ReadAllText(Path.Combine(DeploymentFiles.Deploy, "Dockerfile"));
        Assert.Equal(2, Regex.Count(dockerfile, @"^FROM ", RegexOptions.Multiline));
        Assert.Contains("RUN bash silo/deploy/publish.sh /app", dockerfile, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^USER \$APP_UID$", dockerfile);
        Assert.Contains("\"probe\", \"http://127.0.0.1:8080/health/ready\"", dockerfile, StringComparison.Ordinal);

        var published = Path.Combine(Path.GetTempPath(), "ocx-publish-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var (exitCode, log) = await Run("bash", [Path.Combine(DeploymentFiles.Deploy, "publish.sh"), published], DeploymentFiles.Root, TimeSpan.FromMinutes(8));
            Assert.True(exitCode == 0, $"publish.sh exited {exitCode}:\n{log}");
            var dll = Path.Combine(published, "OrleansCompute.Silo.dll");
            Assert.True(File.Exists(dll), log);

            // The published silo, as the image's entry point runs it (embedded mode here: no Redis needed), reports
            // healthy through the image's health-check command; a dead address makes the same command fail.
            var port = SiloProcess.FreeLoopbackPort();
            var data = Path.Combine(published, "state");
            using var silo = Process.Start(new ProcessStartInfo("dotnet")
            {
                ArgumentList =
                {
                    dll, $"--OrleansCompute:Api:Urls:0=http://127.0.0.1:{port}", $"--OrleansCompute:Storage:DataDirectory={data}",
                    $"--OrleansCompute:Endpoints:SiloPort={SiloProcess.FreeLoopbackPort()}", $"--OrleansCompute:Endpoints:GatewayPort={SiloProcess.FreeLoopbackPort()}",
                },
                WorkingDirectory = published,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            silo.OutputDataReceived += (_, _) => { };
            silo.ErrorDataReceived += (_, _) => { };
            silo.BeginOutputReadLine();
            silo.BeginErrorReadLine();
            try
            {
                var healthy = false;
                var clock = Stopwatch.StartNew();
                while (!healthy && clock.Elapsed < TimeSpan.FromSeconds(90) && !silo.HasExited)
                {
                    healthy = (await Run("dotnet", [dll, "probe", $"http://127.0.0.1:{port}/health/ready"], published, TimeSpan.FromSeconds(30))).ExitCode == 0;
                    if (!healthy)
                    {
                        await Task.Delay(500);
                    }
                }

                Assert.True(healthy, "the published silo never reported ready to the health-check command");
                var dead = await Run("dotnet", [dll, "probe", $"http://127.0.0.1:{SiloProcess.FreeLoopbackPort()}/health/ready"], published, TimeSpan.FromSeconds(30));
                Assert.Equal(1, dead.ExitCode);
                output.WriteLine($"published and healthy after {clock.Elapsed.TotalSeconds:F1} s; a dead address: {dead.Output.Trim()}");
            }
            finally
            {
                silo.Kill(entireProcessTree: true);
                await silo.WaitForExitAsync();
            }
        }
        finally
        {
            try
            {
                Directory.Delete(published, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public void The_drain_time_must_be_a_time_span_between_a_second_and_an_hour()
    {
        static IConfiguration Drain(string value) => new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>("OrleansCompute:Hosting:DrainTimeout", value)]).Build();

        Assert.Null(SiloConfiguration.Validate(Drain("00:00:45")));
        Assert.Equal(TimeSpan.FromSeconds(45), SiloConfiguration.DrainTimeout(Drain("00:00:45")));
        Assert.Equal(SiloConfiguration.DefaultDrainTimeout, SiloConfiguration.DrainTimeout(new ConfigurationBuilder().Build()));
        foreach (var bad in new[] { "soon", "00:00:00", "30" /* 30 days */ })
        {
            Assert.Contains("OrleansCompute:Hosting:DrainTimeout must be a time span", SiloConfiguration.Validate(Drain(bad)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_hosts_graceful_stop_leaves_a_quarter_of_the_drain_time_at_most_5_s_for_the_rest()
    {
        // The host's shutdown timeout (UseStopDeadline): past it Orleans stops without deactivating grains; at the drain
        // time the stop deadline ends the process whatever is still running.
        Assert.Equal(TimeSpan.FromSeconds(25), OrleansCompute.Hosting.StopDeadline.GracefulPart(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(4.5), OrleansCompute.Hosting.StopDeadline.GracefulPart(TimeSpan.FromSeconds(6)));
        Assert.Equal(TimeSpan.FromSeconds(0.75), OrleansCompute.Hosting.StopDeadline.GracefulPart(TimeSpan.FromSeconds(1)));
        // The deadline fires a tenth (at most 1 s) before the drain time: the signal's way in and the exit itself fit in it.
        Assert.Equal(TimeSpan.FromSeconds(1), OrleansCompute.Hosting.StopDeadline.ExitAllowance(TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(0.6), OrleansCompute.Hosting.StopDeadline.ExitAllowance(TimeSpan.FromSeconds(6)));
    }

    private static void AssertValid(string what, IReadOnlyDictionary<string, string> environment)
    {
        // Environment variables as the silo reads them (AddEnvironmentVariables: "__" separates sections).
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value)))
            .Build();
        Assert.Null(SiloConfiguration.Validate(configuration));
        var api = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        Assert.True(api.Validate() is null, $"{what}: {api.Validate()}");
        Assert.NotEmpty(api.ApiKeys); // the API listens beyond loopback in a container
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> first, IReadOnlyDictionary<string, string> second)
    {
        var merged = new Dictionary<string, string>(first, StringComparer.Ordinal);
        foreach (var (key, value) in second)
        {
            merged[key] = value;
        }

        return merged;
    }

    private static Dictionary<object, object> LoadCompose()
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(DeploymentFiles.Deploy, "compose.yaml")));
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
    }

    private static async Task<(int ExitCode, string Output)> Run(string file, string[] arguments, string workingDirectory, TimeSpan limit)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {limit}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
