using System.Diagnostics;

namespace EBakul.Hub.Tests.Infrastructure;

/// <summary>
/// The folder of this test run's database files, removed when the run ends. Hubs restarted on the same file within
/// a test need the file to outlive the first hub, so files are not deleted one by one: the run's folder goes at once
/// when the test process exits, and a run that was killed before it could clean up is cleaned up by the next one.
/// </summary>
public static class TestRunFolder
{
    private const string RunPrefix = "run-";

    /// <summary>The folder, created on first use.</summary>
    public static string Path { get; } = Create();

    private static string Create()
    {
        var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ebakul-tests");
        Directory.CreateDirectory(root);
        foreach (var stale in Directory.EnumerateDirectories(root, RunPrefix + "*"))
        {
            if (int.TryParse(System.IO.Path.GetFileName(stale)[RunPrefix.Length..], out var pid) && !IsRunning(pid)) TryDelete(stale);
        }
        var folder = System.IO.Path.Combine(root, RunPrefix + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(folder);
        return folder;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Still in use (another run's open file): the next run tries again.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
