using Microsoft.Data.Sqlite;

namespace EBakul.Hub.Tests.Faults;

/// <summary>How many rows a hub's database holds, over all its tables: unchanged means nothing was written.</summary>
public static class StoredRows
{
    /// <summary>The rows of every table of the database at <paramref name="databasePath"/>, summed.</summary>
    public static long Count(string databasePath)
    {
        using var db = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        db.Open();
        var tables = new List<string>();
        using (var list = db.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            using var reader = list.ExecuteReader();
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
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
