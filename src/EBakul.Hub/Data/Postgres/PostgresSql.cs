using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace EBakul.Hub.Data.Postgres;

/// <summary>
/// The hub's SQL is written once, in the dialect both stores read; this is every place PostgreSQL reads it differently,
/// translated when a statement is prepared (once per statement and connection, cached):
/// <list type="bullet">
/// <item><c>$name</c> parameters are <c>@name</c> (Npgsql's named parameters).</item>
/// <item>SQLite's table function <c>json_each($x) AS r</c> over a JSON array parameter is
/// <c>json_array_elements(@x::json) WITH ORDINALITY AS r(value, key)</c>; over an array of scalars (the SQL never reads
/// <c>r.value -&gt;&gt;</c>) <c>json_array_elements_text</c>, so <c>r.value</c> is text as in SQLite. <c>key</c> orders the
/// elements as given (it counts from 1 on PostgreSQL, from 0 on SQLite: only its order is used).</item>
/// <item>SQLite's index hint <c>INDEXED BY name</c> is dropped: PostgreSQL's planner has none and needs none.</item>
/// </list>
/// Everything else is written portably on purpose: <c>CAST(r.value -&gt;&gt; 3 AS INTEGER)</c> where a JSON element fills an
/// integer column, <c>CASE WHEN … THEN 1 ELSE 0 END</c> where a condition is read as a number, <c>INSERT … ON CONFLICT</c>,
/// <c>RETURNING</c>, <c>LIMIT</c>. Flags are integer columns and dates <c>yyyy-MM-dd</c> text on both stores
/// (<see cref="PostgresHubDbContext"/>), so values bind and compare alike.
/// </summary>
public static partial class PostgresSql
{
    private static readonly ConcurrentDictionary<string, string> Translated = new(StringComparer.Ordinal);

    /// <summary>The PostgreSQL form of <paramref name="sql"/>.</summary>
    public static string Translate(string sql) => Translated.GetOrAdd(sql, static sql =>
    {
        var text = IndexedBy().Replace(sql, "");
        text = JsonEach().Replace(text, match =>
        {
            var parameter = match.Groups["parameter"].Value;
            var alias = match.Groups["alias"].Success ? match.Groups["alias"].Value : "j";
            var rows = text.Contains(alias + ".value ->>", StringComparison.Ordinal);
            return $"{(rows ? "json_array_elements" : "json_array_elements_text")}(${parameter}::json) WITH ORDINALITY AS {alias}(value, key)";
        });
        return Parameter().Replace(text, "@${name}");
    });

    /// <summary>The Npgsql name of a parameter written <c>$name</c> or <c>@name</c> (Npgsql's names have no prefix).</summary>
    public static string ParameterName(string name) => name.StartsWith('$') || name.StartsWith('@') ? name[1..] : name;

    [GeneratedRegex(@"\s+INDEXED BY \w+", RegexOptions.CultureInvariant)]
    private static partial Regex IndexedBy();

    [GeneratedRegex(@"json_each\(\$(?<parameter>\w+)\)(\s+AS\s+(?<alias>\w+))?", RegexOptions.CultureInvariant)]
    private static partial Regex JsonEach();

    [GeneratedRegex(@"\$(?<name>[A-Za-z_]\w*)", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();
}
