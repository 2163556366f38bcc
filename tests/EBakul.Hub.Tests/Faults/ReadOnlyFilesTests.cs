using System.Diagnostics;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Xunit.Abstractions;

namespace EBakul.Hub.Tests.Faults;

/// <summary>
/// The database files of a running hub process made immutable (<c>chattr +i</c>), as an operator or a failing disk
/// might: SQLite's memory-mapped <c>-shm</c> file used to end the process with SIGBUS. Writes are refused, reads of a
/// database whose commits are all in its main file are served, and readiness is back as soon as the files can be
/// written. Needs root and a file system with the immutable attribute (ext4, xfs, btrfs); elsewhere the test says so
/// in its output and checks nothing.
/// </summary>
public sealed class ReadOnlyFilesTests(ITestOutputHelper output)
{
    private static bool Chattr(string flag, IEnumerable<string> files, out string error)
    {
        var start = new ProcessStartInfo("chattr") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(flag);
        foreach (var file in files) start.ArgumentList.Add(file);
        try
        {
            using var process = Process.Start(start)!;
            error = process.StandardError.ReadToEnd();
            process.WaitForExit(10_000);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Whether files in <paramref name="folder"/> can be made immutable here; if not, why.</summary>
    private static string? CannotMakeImmutable(string folder)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return "needs root on Linux";
        var probe = Path.Combine(folder, "immutable-probe");
        File.WriteAllText(probe, "");
        try
        {
            if (!Chattr("+i", [probe], out var error)) return $"chattr +i failed: {error.Trim()}";
            Chattr("-i", [probe], out _);
            return null;
        }
        finally
        {
            File.Delete(probe);
        }
    }

    private static void Immutable(FaultHub hub, bool on)
    {
        if (!Chattr(on ? "+i" : "-i", hub.DatabaseFiles.Where(File.Exists), out var error))
            throw new InvalidOperationException($"chattr failed: {error}");
    }

    private static async Task<Google.Rpc.Status> ExpectReadOnly(Func<Task> call)
    {
        var status = await RpcAssert.Expect(StatusCode.Unavailable, call);
        Assert.Equal("STORAGE_READ_ONLY", status.Reason());
        return status;
    }

    /// <summary>Waits until the hub's checkpointer has copied every commit into the main file.</summary>
    private static async Task WaitForCheckpointAsync(FaultHub hub)
    {
        for (var waited = Stopwatch.StartNew(); !EBakul.Hub.Data.WritableStorage.WalFullyCheckpointed(hub.DatabasePath); await Task.Delay(100))
            if (waited.Elapsed > TimeSpan.FromMinutes(1)) throw new TimeoutException("the WAL was not checkpointed within a minute");
    }

    [SqliteOnlyFact("the database files themselves are made immutable")]
    public async Task Immutable_database_files_are_unavailable_storage_read_only_without_ending_the_process_and_nothing_acknowledged_is_lost()
    {
        await using var hub = new FaultHub();
        if (CannotMakeImmutable(hub.Folder) is { } why)
        {
            output.WriteLine($"SKIPPED: cannot make files immutable here ({why}); the read-only files case was not exercised");
            return;
        }
        await hub.StartAsync();
        var acknowledged = new List<string>();
        foreach (var answer in await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => hub.Merchants.RegisterMerchantAsync(FaultHub.NewRegistration()).ResponseAsync)))
            acknowledged.Add(answer.Merchant.MerchantId);

        // Immutable while the hub runs, every commit in the main file: writes are refused, reads are served, the hub
        // reports not serving, and stays up.
        await WaitForCheckpointAsync(hub);
        var refused = Enumerable.Range(0, 10).Select(_ => FaultHub.NewRegistration()).ToList();
        Immutable(hub, on: true);
        try
        {
            foreach (var request in refused)
                Assert.Contains("nothing was written", (await ExpectReadOnly(() => hub.Merchants.RegisterMerchantAsync(request).ResponseAsync)).Message);
            Assert.Equal(acknowledged.Order(StringComparer.Ordinal), (await hub.MerchantIdsAsync()).Order(StringComparer.Ordinal));
            var one = await hub.Merchants.GetMerchantAsync(new EBakul.Merchants.V1.GetMerchantRequest { RegencyCode = TestData.Regency, MerchantId = acknowledged[0] });
            Assert.Equal(acknowledged[0], one.Merchant.MerchantId);
            await hub.WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus.NotServing);
            await Task.Delay(TimeSpan.FromSeconds(2)); // the checkpointer's next round comes and goes
            Assert.Equal(acknowledged.Count, (await hub.MerchantIdsAsync()).Count);
            Assert.True(hub.Process.IsRunning, $"the hub ended:\n{hub.Process.Output}");
            Assert.Contains("Database storage failure STORAGE_READ_ONLY", hub.Process.Output);
        }
        finally
        {
            Immutable(hub, on: false);
        }

        // Writable again: the same process is ready again before any write comes, and takes the refused requests (same
        // request_ids).
        await hub.WaitForHealthAsync(HealthCheckResponse.Types.ServingStatus.Serving);
        foreach (var request in refused) acknowledged.Add((await hub.Merchants.RegisterMerchantAsync(request)).Merchant.MerchantId);
        Assert.Contains("accepts writes again", hub.Process.Output);

        // Immutable again, then stopped: the stop is clean (a checkpoint on close would write to the mapped -shm file).
        Immutable(hub, on: true);
        try
        {
            await ExpectReadOnly(() => hub.Merchants.RegisterMerchantAsync(FaultHub.NewRegistration()).ResponseAsync);
            Assert.Equal(0, hub.Process.Terminate());
        }
        finally
        {
            Immutable(hub, on: false);
        }

        await hub.StartAsync();
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), (await hub.MerchantIdsAsync()).Order(StringComparer.Ordinal));
    }

    [SqliteOnlyFact("the database files themselves are made immutable")]
    public async Task Reads_of_commits_still_only_in_the_WAL_are_refused_with_a_reason_that_fits_a_read_and_the_process_stays_up()
    {
        // No checkpoint during the test: the latest commits stay in the WAL, which SQLite reads only through the -shm file.
        await using var hub = new FaultHub(new Dictionary<string, string?> { ["Database:CheckpointInterval"] = "01:00:00" });
        if (CannotMakeImmutable(hub.Folder) is { } why)
        {
            output.WriteLine($"SKIPPED: cannot make files immutable here ({why}); the read-only files case was not exercised");
            return;
        }
        await hub.StartAsync();
        var registered = (await hub.Merchants.RegisterMerchantAsync(FaultHub.NewRegistration())).Merchant.MerchantId;
        Assert.False(EBakul.Hub.Data.WritableStorage.WalFullyCheckpointed(hub.DatabasePath));

        Immutable(hub, on: true);
        try
        {
            var read = await ExpectReadOnly(() => hub.MerchantIdsAsync());
            Assert.DoesNotContain("nothing was written", read.Message);
            Assert.Contains("cannot be read", read.Message);
            Assert.True(hub.Process.IsRunning, $"the hub ended:\n{hub.Process.Output}");
        }
        finally
        {
            Immutable(hub, on: false);
        }
        Assert.Contains(registered, await hub.MerchantIdsAsync());
    }
}
