using System.Globalization;

namespace EBakul.Benchmarks;

/// <summary>
/// What Linux's /proc tells of one process: its CPU time (in all and on the hub's database writer thread), its peak
/// resident memory and the bytes it has written to files. Every figure is zero on other systems.
/// </summary>
/// <param name="ProcessId">The process: the hub's, or the benchmark's own for what runs in it.</param>
public sealed record ProcessUsage(int ProcessId)
{
    // The name Linux keeps of the writer thread "ebakul-db-writer": a thread's name is cut at 15 characters.
    private const string WriterThreadName = "ebakul-db-write";

    /// <summary>Resets the kernel's peak-RSS counter of the process.</summary>
    public void ResetPeakMemory()
    {
        try { File.WriteAllText($"/proc/{ProcessId}/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Peak resident memory since the last reset, in bytes (VmHWM).</summary>
    public long PeakMemoryBytes() => ProcValue("status", "VmHWM:") * 1024;

    /// <summary>
    /// Bytes of files the process has written so far, as the kernel counts them for the disk (<c>write_bytes</c> of
    /// /proc/.../io: for the hub, the WAL's frames and the checkpoints' copies into the database file).
    /// </summary>
    public long BytesWritten() => ProcValue("io", "write_bytes:");

    /// <summary>CPU time used so far (user + system), in total and on the database writer thread.</summary>
    public (TimeSpan Total, TimeSpan Writer) CpuTime()
    {
        try
        {
            var total = Ticks(File.ReadAllText($"/proc/{ProcessId}/stat"));
            var writer = TimeSpan.Zero;
            foreach (var task in Directory.EnumerateDirectories($"/proc/{ProcessId}/task"))
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == WriterThreadName) writer += Ticks(File.ReadAllText(Path.Combine(task, "stat")));
            }
            return (total, writer);
        }
        catch (IOException)
        {
            return (TimeSpan.Zero, TimeSpan.Zero);
        }

        // Fields 14 and 15 of /proc/.../stat (utime, stime) in clock ticks of 10 ms, counted after the command name.
        static TimeSpan Ticks(string stat)
        {
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return TimeSpan.FromMilliseconds((long.Parse(fields[11], CultureInfo.InvariantCulture)
                + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10);
        }
    }

    /// <summary>The number after <paramref name="key"/> in /proc/&lt;pid&gt;/<paramref name="file"/>; 0 when unknown.</summary>
    private long ProcValue(string file, string key)
    {
        try
        {
            var line = File.ReadLines($"/proc/{ProcessId}/{file}").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[key.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
