using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace OrleansCompute.Testing.Servers;

/// <summary>
/// A private network made of Linux network namespaces, for partition tests: one bridge in the test's own namespace
/// (address <c>10.213.S.254/24</c>) and one namespace per host, each joined to the bridge by a veth pair
/// (<c>eth0</c>, <c>10.213.S.N/24</c>, no default route, so nothing outside the lab is reachable). A host can be
/// <see cref="Cut"/> off (its bridge link set down: it reaches no peer and no server, and nobody reaches it over the
/// bridge) and <see cref="Heal"/>ed. <see cref="AddSideLink"/> adds a point-to-point link between the test and one
/// host that a cut leaves up: a client "on the host's side" of the partition.
/// </summary>
/// <remarks>
/// Needs root and <c>ip</c> (iproute2). Names carry the creating process id (namespaces <c>ocx-PID-…</c>, links
/// <c>ocxb…</c>/<c>ocxv…</c>) so runs never collide; <see cref="Dispose"/> deletes everything it made, and
/// <see cref="Create"/> first removes leftovers of runs whose process is gone. <see cref="ProbeSupport"/> says
/// whether namespaces can be made here (tests skip with its message when they cannot).
/// </remarks>
public sealed class NetworkLab : IDisposable
{
    private const string NamespacePrefix = "ocx-";
    private readonly List<string> _namespaces = [];
    private readonly List<string> _rootLinks = [];
    private readonly Dictionary<string, int> _hosts = [];
    private readonly string _tag;
    private int _sideLinks;
    private bool _disposed;

    private NetworkLab(int subnet, string tag)
    {
        Subnet = subnet;
        _tag = tag;
        BridgeName = $"ocxb{tag}";
    }

    /// <summary>The third octet S of this lab's <c>10.213.S.0/24</c> bridge network.</summary>
    public int Subnet { get; }

    public string BridgeName { get; }

    /// <summary>The test process's own address on the bridge.</summary>
    public string GatewayAddress => Address(254);

    /// <summary>Hosts by name with their namespace.</summary>
    public IReadOnlyDictionary<string, int> Hosts => _hosts;

    /// <summary>Null when namespaces, veth pairs and bridges can be made here; else why not (for a skip message).</summary>
    public static string? ProbeSupport()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }

        var name = $"{NamespacePrefix}{Environment.ProcessId}-probe{Random.Shared.Next(1000, 9999)}";
        var (code, output) = Run("ip", "netns", "add", name);
        if (code != 0)
        {
            return $"cannot create a network namespace ('ip netns add' exit {code}: {output.Trim()}); run as root on Linux with iproute2";
        }

        try
        {
            var veth = $"ocxq{Environment.ProcessId % 100000}";
            (code, output) = Run("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "p", "netns", name);
            if (code != 0)
            {
                return $"cannot create a veth pair ({output.Trim()})";
            }

            Run("ip", "link", "del", veth);
            return null;
        }
        finally
        {
            Run("ip", "netns", "del", name);
        }
    }

    /// <summary>Creates the bridge (after removing leftovers of dead runs).</summary>
    public static NetworkLab Create()
    {
        RemoveLeftovers();
        var tag = $"{Environment.ProcessId % 10000}{Random.Shared.Next(0, 100):D2}";
        var subnet = Random.Shared.Next(1, 250);
        var lab = new NetworkLab(subnet, tag);
        try
        {
            Must("ip", "link", "add", lab.BridgeName, "type", "bridge");
            lab._rootLinks.Add(lab.BridgeName);
            Must("ip", "addr", "add", $"{lab.GatewayAddress}/24", "dev", lab.BridgeName);
            Must("ip", "link", "set", lab.BridgeName, "up");
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>The address of host number <paramref name="host"/> on the bridge network.</summary>
    public string Address(int host) => string.Create(CultureInfo.InvariantCulture, $"10.213.{Subnet}.{host}");

    /// <summary>The namespace name of a host.</summary>
    public string Namespace(string host) => $"{NamespacePrefix}{Environment.ProcessId}-{_tag}-{host}";

    /// <summary>Adds a host namespace joined to the bridge as <c>10.213.S.<paramref name="number"/></c>; returns its address.</summary>
    public string AddHost(string host, int number)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (number is < 1 or > 250)
        {
            throw new ArgumentOutOfRangeException(nameof(number), number, "host numbers are 1..250");
        }

        var ns = Namespace(host);
        Must("ip", "netns", "add", ns);
        _namespaces.Add(ns);
        var outside = $"ocxv{_tag}{number}";
        Must("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns);
        _rootLinks.Add(outside);
        Must("ip", "link", "set", outside, "master", BridgeName);
        Must("ip", "link", "set", outside, "up");
        Must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        Must("ip", "netns", "exec", ns, "ip", "addr", "add", $"{Address(number)}/24", "dev", "eth0");
        Must("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
        _hosts[host] = number;
        return Address(number);
    }

    /// <summary>
    /// Adds a point-to-point link between this process and <paramref name="host"/> that <see cref="Cut"/> leaves up;
    /// returns (address on this side, address on the host's side): a /30 in a second 10.213.x.0/24 network. With
    /// <paramref name="routeHostAddress"/>, this process also reaches the host's bridge address over the side link (a /32
    /// route), so a client here can use the address the host advertises (an Orleans client must reach a gateway at the
    /// address the silo advertises) while the host stays cut off from everything else.
    /// </summary>
    public (string Local, string Remote) AddSideLink(string host, bool routeHostAddress = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var index = _sideLinks++;
        var net = (Subnet + 1) % 250 + 1;
        var local = string.Create(CultureInfo.InvariantCulture, $"10.213.{net}.{(index * 4) + 1}");
        var remote = string.Create(CultureInfo.InvariantCulture, $"10.213.{net}.{(index * 4) + 2}");
        var outside = $"ocxs{_tag}{index}";
        Must("ip", "link", "add", outside, "type", "veth", "peer", "name", "side0", "netns", Namespace(host));
        _rootLinks.Add(outside);
        Must("ip", "addr", "add", $"{local}/30", "dev", outside);
        Must("ip", "link", "set", outside, "up");
        Must("ip", "netns", "exec", Namespace(host), "ip", "addr", "add", $"{remote}/30", "dev", "side0");
        Must("ip", "netns", "exec", Namespace(host), "ip", "link", "set", "side0", "up");
        if (routeHostAddress)
        {
            Must("ip", "route", "add", $"{Address(_hosts[host])}/32", "dev", outside, "src", local);
        }

        return (local, remote);
    }

    /// <summary>Cuts <paramref name="host"/> off the bridge: its <c>eth0</c> goes down (no peer, no server reachable either way).</summary>
    public void Cut(string host) => Must("ip", "netns", "exec", Namespace(host), "ip", "link", "set", "eth0", "down");

    /// <summary>The ids of every process running in <paramref name="host"/>'s namespace (<c>ip netns pids</c>).</summary>
    public IReadOnlyList<int> Processes(string host)
    {
        var (code, output) = Run("ip", "netns", "pids", Namespace(host));
        if (code != 0)
        {
            throw new InvalidOperationException($"'ip netns pids {Namespace(host)}' failed with exit code {code}: {output.Trim()}");
        }

        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => int.Parse(line, NumberStyles.None, CultureInfo.InvariantCulture))];
    }

    /// <summary>
    /// Takes <paramref name="host"/> down whole, as a machine that fails: every process in its namespace gets SIGKILL
    /// (waited for), then its bridge link goes down (<see cref="Cut"/>). Returns the ids of the processes it killed.
    /// </summary>
    public IReadOnlyList<int> TakeDown(string host)
    {
        var killed = new List<int>();
        foreach (var pid in Processes(host))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: false);
                process.WaitForExit(5000);
                killed.Add(pid);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Exited between the listing and the kill.
            }
        }

        Cut(host);
        return killed;
    }

    /// <summary>Brings <paramref name="host"/>'s bridge link back up.</summary>
    public void Heal(string host) => Must("ip", "netns", "exec", Namespace(host), "ip", "link", "set", "eth0", "up");

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // Deleting a namespace deletes the veth ends inside it, which deletes their peers; links left in this
        // namespace (the bridge, any orphan) are deleted by name. Best effort: cleanup must not hide the test's failure.
        foreach (var ns in _namespaces)
        {
            Run("ip", "netns", "del", ns);
        }

        foreach (var link in _rootLinks)
        {
            Run("ip", "link", "del", link);
        }
    }

    public override string ToString() => $"network lab 10.213.{Subnet}.0/24 on {BridgeName}: {string.Join(", ", _namespaces)}";

    /// <summary>Deletes namespaces and links of earlier runs whose process no longer exists.</summary>
    private static void RemoveLeftovers()
    {
        var (code, output) = Run("ip", "netns", "list");
        if (code != 0)
        {
            return;
        }

        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = line.Split(' ')[0];
            if (!name.StartsWith(NamespacePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var parts = name[NamespacePrefix.Length..].Split('-');
            if (int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid != Environment.ProcessId
                && !Directory.Exists($"/proc/{pid}"))
            {
                Run("ip", "netns", "del", name);
                if (parts.Length > 1)
                {
                    Run("ip", "link", "del", $"ocxb{parts[1]}");
                }
            }
        }
    }

    private static void Must(params string[] arguments)
    {
        var (code, output) = Run(arguments[0], arguments[1..]);
        if (code != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', arguments)}' failed with exit code {code}: {output.Trim()}");
        }
    }

    /// <summary>Runs a command (bounded to 20 s); returns its exit code and combined output.</summary>
    public static (int Code, string Output) Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
            var output = new StringBuilder();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(20_000))
            {
                process.Kill();
                return (-1, $"{fileName} timed out");
            }

            output.Append(stdout.Result).Append(stderr.Result);
            return (process.ExitCode, output.ToString());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, $"{fileName}: {ex.Message}");
        }
    }
}
