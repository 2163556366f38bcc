using EBakul.Hub.Tests.Infrastructure;

namespace EBakul.Hub.Tests.Faults;

/// <summary>How many rows a hub's database holds, over all its tables: unchanged means nothing was written.</summary>
public static class StoredRows
{
    /// <summary>The rows of every table of the database at <paramref name="databasePath"/>, summed.</summary>
    public static long Count(string databasePath)
    {
        using var db = TestStore.Open(databasePath);
        var tables = TestStore.Tables(db);
        long rows = 0;
        foreach (var table in tables)
        {
            using var count = db.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM \"{table}\"";
            rows += (long)count.ExecuteScalar()!;
        }
        return rows;
    }
}
