using System.Runtime.InteropServices;

namespace EBakul.Hub.Data;

/// <summary>
/// Asks the file system, before SQLite touches the database, whether its files can still be written.
/// <para>
/// In WAL mode every SQLite connection maps the <c>-shm</c> file (the WAL index) into memory and writes to it directly:
/// to begin a write, to take a read mark, to record a checkpoint. When the file can no longer be written (made
/// immutable, <c>chattr +i</c>, or its file system remounted read-only after an error), the kernel answers such a write
/// to a mapped page not with an error code but with SIGBUS, which ends the whole process, mid-request, with nothing
/// logged. So the writer (before each transaction), the checkpointer (before each checkpoint) and every connection
/// (when opened) ask here first, and refuse with <see cref="StorageNotWritableException"/> (UNAVAILABLE
/// <c>STORAGE_READ_ONLY</c>) while the files cannot be written; once they can again, work goes on as before.
/// </para>
/// <para>
/// Reads go on while the files cannot be written, when the main database file holds every commit (the WAL is fully
/// checkpointed, <see cref="WalFullyCheckpointed"/>): connections for reads are then opened on that file alone as
/// immutable (<c>immutable=1</c>: no locks, no WAL, no <c>-shm</c>), which is true of it while nothing can write it.
/// When commits are still only in the WAL, reading them needs the <c>-shm</c> file written, and reads are refused too
/// (<see cref="StorageNotWritableException.Reading"/>).
/// </para>
/// <para>
/// The question is one <c>access(2)</c> call per file (a few microseconds). A file made unwritable between the
/// question and SQLite's next write to the mapping can still end the process; the window is that short.
/// </para>
/// </summary>
public static class WritableStorage
{
    private const int WriteOk = 2;
    private const int OperationNotPermitted = 1; // EPERM: the file is immutable
    private const int ReadOnlyFileSystem = 30;   // EROFS

    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int Access(string path, int mode);

    /// <summary>
    /// Why the database at <paramref name="databasePath"/> (or its <c>-wal</c> or <c>-shm</c> file) cannot be written,
    /// or null when it can (or when this cannot be asked: not Linux, in-memory database). Permission bits are not
    /// judged: they are checked when a file is opened, and the hub's files are open already.
    /// </summary>
    public static string? WhyNotWritable(string? databasePath)
    {
        if (!OperatingSystem.IsLinux() || string.IsNullOrEmpty(databasePath) || databasePath == ":memory:") return null;
        foreach (var suffix in (ReadOnlySpan<string>)["", "-wal", "-shm"])
        {
            if (Access(databasePath + suffix, WriteOk) == 0) continue;
            switch (Marshal.GetLastPInvokeError())
            {
                case OperationNotPermitted: return $"{Path.GetFileName(databasePath + suffix)} is immutable";
                case ReadOnlyFileSystem: return $"the file system of {Path.GetFileName(databasePath + suffix)} is read-only";
            }
        }
        return null;
    }

    /// <summary>Throws <see cref="StorageNotWritableException"/> when <see cref="WhyNotWritable"/> has a reason.</summary>
    public static void Require(string? databasePath, bool reading = false)
    {
        if (WhyNotWritable(databasePath) is { } why) throw new StorageNotWritableException(why, reading);
    }

    /// <summary>
    /// Whether the main database file holds every commit: there is no WAL, it is empty, or the WAL index (the <c>-shm</c>
    /// file, read with an ordinary read, never through a memory map) says every frame of the WAL was copied back
    /// (<c>nBackfill</c> equals <c>mxFrame</c>, both copies of its header agreeing). False when it cannot tell.
    /// </summary>
    public static bool WalFullyCheckpointed(string databasePath)
    {
        try
        {
            var wal = new FileInfo(databasePath + "-wal");
            if (!wal.Exists || wal.Length == 0) return true;
            using var shm = new FileStream(databasePath + "-shm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            // The WAL index header (48 bytes, twice) and the checkpoint information after it (SQLite's wal.c), native byte order.
            Span<byte> index = stackalloc byte[100];
            if (shm.ReadAtLeast(index, index.Length, throwOnEndOfStream: false) < index.Length) return false;
            if (!index[..48].SequenceEqual(index[48..96]) || index[12] == 0) return false; // mid-change or not initialised
            var maxFrame = MemoryMarshal.Read<uint>(index[16..]);
            var backfilled = MemoryMarshal.Read<uint>(index[96..]);
            return backfilled == maxFrame;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>
/// The database files cannot be written right now (see <see cref="WritableStorage"/>); nothing was attempted. With
/// <see cref="Reading"/>, a read was refused: the latest commits are only in the WAL, which cannot be read without
/// writing to the <c>-shm</c> file.
/// </summary>
public sealed class StorageNotWritableException(string reason, bool reading = false)
    : IOException($"the database files cannot be written: {reason}")
{
    /// <summary>True when a connection for reading was refused rather than a write.</summary>
    public bool Reading { get; } = reading;
}
