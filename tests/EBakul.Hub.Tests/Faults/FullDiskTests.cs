using System.Diagnostics;
using EBakul.Hub.Data;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace EBakul.Hub.Tests.Faults;

/// <summary>
/// The database on a 12 MiB tmpfs that fills up: writes fail as UNAVAILABLE STORAGE_FULL (not UNKNOWN), the writer
/// reports the fault that readiness shows, and writes succeed again on their own once space is back. Needs to mount a
/// tmpfs (root, as CI runs); elsewhere the test says so in its output and checks nothing.
/// </summary>
public sealed class FullDiskTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "ebakul-full-disk-" + Guid.NewGuid().ToString("N")[..8]);
    private bool _mounted;

    public void Dispose()
    {
        if (_mounted) Run("umount", "-l", _mount);
        try { Directory.Delete(_mount, recursive: true); } catch (IOException) { }
    }

    private static bool Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            process.WaitForExit(10_000);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    [Fact]
    public async Task A_full_disk_is_unavailable_storage_full_marks_the_writer_faulted_and_recovers_when_space_is_back()
    {
        Directory.CreateDirectory(_mount);
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !(_mounted = Run("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", _mount)))
        {
            output.WriteLine("SKIPPED: cannot mount a tmpfs here (needs root on Linux); the full-disk case was not exercised");
            return;
        }
        output.WriteLine($"tmpfs of 12 MiB mounted at {_mount}");
        var filler = Path.Combine(_mount, "filler");
        await File.WriteAllBytesAsync(filler, new byte[8 * 1024 * 1024]);
        var blob = new byte[64 * 1024];
        Random.Shared.NextBytes(blob);
        using var writer = new DatabaseWriter(Options.Create(new DatabaseOptions { Path = Path.Combine(_mount, "hub.db") }));
        await writer.WriteAsync(tx => tx.Command("CREATE TABLE blobs (v BLOB NOT NULL)").ExecuteNonQuery());

        Exception? failure = null;
        var stored = 0;
        for (var i = 0; i < 400 && failure is null; i++)
        {
            try
            {
                await writer.WriteAsync(tx => tx.Command("INSERT INTO blobs (v) VALUES ($v)").Bind("$v", blob).ExecuteNonQuery());
                stored++;
            }
            catch (Exception ex) { failure = ex; }
        }

        Assert.NotNull(failure);
        var storage = StorageFailure.From(failure!);
        Assert.NotNull(storage);
        Assert.Equal(StatusCode.Unavailable, storage!.Code);
        Assert.Equal("STORAGE_FULL", storage.Reason);
        Assert.NotNull(writer.Fault);

        File.Delete(filler);
        for (var i = 0; i < 20; i++)
            await writer.WriteAsync(tx => tx.Command("INSERT INTO blobs (v) VALUES ($v)").Bind("$v", blob).ExecuteNonQuery());
        Assert.Null(writer.Fault);
        var count = await writer.WriteAsync(tx => (long)tx.Command("SELECT count(*) FROM blobs").ExecuteScalar()!);
        Assert.Equal(stored + 20, count);
    }
}
