using EBakul.Hub.Data;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Errors;
using EBakul.Hub.Paging;
using Microsoft.EntityFrameworkCore;

namespace EBakul.Hub.Domain.Merchants;

/// <summary>A nearby search: exactly one of <paramref name="Point"/> and <paramref name="KecamatanCode"/>.</summary>
/// <param name="RegencyCode">The regency searched.</param>
/// <param name="Point">Search around this point, nearest first.</param>
/// <param name="KecamatanCode">Search inside this kecamatan, by name.</param>
/// <param name="RadiusMeters">Radius of a point search; 0 means <see cref="NearbySearch.DefaultRadiusMeters"/>.</param>
/// <param name="Category">Only this category; null for any.</param>
/// <param name="PageSize">Most results; 0 means <see cref="NearbySearch.DefaultPageSize"/>.</param>
public sealed record NearbyQuery(string RegencyCode, Coordinates? Point, string? KecamatanCode, int RadiusMeters,
    MerchantCategory? Category, int PageSize);

/// <summary>A merchant found by a nearby search.</summary>
/// <param name="Merchant">The merchant.</param>
/// <param name="DistanceMeters">Whole metres from the point; 0 for a kecamatan search.</param>
public sealed record NearbyMerchant(Merchant Merchant, int DistanceMeters);

/// <summary>
/// Finds ACTIVE merchants where an employee is: around a point (the workplace), nearest first, or inside a
/// kecamatan (the home kecamatan; the reference data has no coordinates for kecamatan), by name ignoring case. A point
/// search reads only the candidates inside the bounding box of the circle (an index range on latitude and
/// longitude), measures the great-circle distance of each, and loads the nearest in full.
/// </summary>
public sealed class NearbySearch(HubDbContext db, RegencyDirectory directory)
{
    /// <summary>Radius of a point search when none is given.</summary>
    public const int DefaultRadiusMeters = 2000;
    /// <summary>Largest radius of a point search.</summary>
    public const int MaxRadiusMeters = 50_000;
    /// <summary>Results when no page size is given.</summary>
    public const int DefaultPageSize = 20;
    /// <summary>Most results of one search.</summary>
    public const int MaxPageSize = 200;
    /// <summary>Mean Earth radius (IUGG), metres.</summary>
    public const double EarthRadiusMeters = 6_371_008.8;

    /// <summary>Runs the search.</summary>
    public async Task<IReadOnlyList<NearbyMerchant>> SearchAsync(NearbyQuery query, CancellationToken cancellationToken)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(query.RegencyCode, checks);
        var hasKecamatan = !string.IsNullOrEmpty(query.KecamatanCode);
        if (query.Point is null && !hasKecamatan)
            checks.Add("origin", "FIELD_REQUIRED", "set exactly one origin: point or kecamatan_code");
        if (query.Point is not null && hasKecamatan)
            checks.Add("origin", "ORIGIN_AMBIGUOUS", "set exactly one origin: point or kecamatan_code, not both");
        if (query.Point is not null) MerchantRules.CheckPoint(query.Point, "point", checks);
        if (hasKecamatan)
            MerchantRules.CheckKecamatan(query.KecamatanCode!, query.RegencyCode, directory, "kecamatan_code", checks, required: true);
        var radius = query.RadiusMeters == 0 ? DefaultRadiusMeters : query.RadiusMeters;
        checks.Check(radius is > 0 and <= MaxRadiusMeters, "radius_meters", "RADIUS_OUT_OF_RANGE",
            $"must be between 1 and {MaxRadiusMeters} metres (0 means {DefaultRadiusMeters})");
        if (query.Category is { } category) checks.RequireEnum(category, "category");
        var size = PageToken.Size(query.PageSize, checks, DefaultPageSize, MaxPageSize);
        checks.ThrowIfAny();
        directory.RequireServed(query.RegencyCode);

        var active = db.Merchants.AsNoTracking()
            .Where(m => m.RegencyCode == query.RegencyCode && m.Status == MerchantStatus.Active);
        if (query.Category is { } only) active = active.Where(m => m.Category == only);

        if (query.Point is { Latitude: { } latitude, Longitude: { } longitude })
            return await AroundPointAsync(active, latitude, longitude, radius, size, cancellationToken);

        var kecamatan = query.KecamatanCode!;
        var inKecamatan = await active.Where(m => m.KecamatanCode == kecamatan)
            // lower() folds ASCII letters only on both stores (SQLite's, and PostgreSQL's under the columns' "C" collation).
            .OrderBy(m => m.Name.ToLower()).ThenBy(m => m.Id).Take(size).ToListAsync(cancellationToken);
        return inKecamatan.Select(m => new NearbyMerchant(m, 0)).ToList();
    }

    private static async Task<IReadOnlyList<NearbyMerchant>> AroundPointAsync(IQueryable<Merchant> active,
        double latitude, double longitude, int radius, int size, CancellationToken cancellationToken)
    {
        var box = BoundingBox.Around(latitude, longitude, radius);
        var candidates = active.Where(m => m.Latitude != null && m.Longitude != null
                                           && m.Latitude >= box.MinLatitude && m.Latitude <= box.MaxLatitude);
        candidates = box.LongitudeWraps
            ? candidates.Where(m => m.Longitude >= box.MinLongitude || m.Longitude <= box.MaxLongitude)
            : candidates.Where(m => m.Longitude >= box.MinLongitude && m.Longitude <= box.MaxLongitude);

        var points = await candidates.Select(m => new { m.Id, Latitude = m.Latitude!.Value, Longitude = m.Longitude!.Value })
            .ToListAsync(cancellationToken);
        var nearest = points
            .Select(p => (p.Id, Distance: HaversineMeters(latitude, longitude, p.Latitude, p.Longitude)))
            .Where(p => p.Distance <= radius)
            .OrderBy(p => p.Distance).ThenBy(p => p.Id, StringComparer.Ordinal)
            .Take(size)
            .ToList();
        if (nearest.Count == 0) return [];

        var ids = nearest.Select(p => p.Id).ToList();
        var merchants = await active.Where(m => ids.Contains(m.Id)).ToDictionaryAsync(m => m.Id, cancellationToken);
        return nearest.Where(p => merchants.ContainsKey(p.Id))
            .Select(p => new NearbyMerchant(merchants[p.Id], (int)Math.Round(p.Distance)))
            .ToList();
    }

    /// <summary>Great-circle distance in metres between two points (haversine on the mean Earth radius).</summary>
    public static double HaversineMeters(double latitude1, double longitude1, double latitude2, double longitude2)
    {
        var phi1 = DegreesToRadians(latitude1);
        var phi2 = DegreesToRadians(latitude2);
        var dPhi = phi2 - phi1;
        var dLambda = DegreesToRadians(longitude2 - longitude1);
        var a = Math.Sin(dPhi / 2) * Math.Sin(dPhi / 2)
                + Math.Cos(phi1) * Math.Cos(phi2) * Math.Sin(dLambda / 2) * Math.Sin(dLambda / 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private static double DegreesToRadians(double degrees) => degrees * Math.PI / 180;

    private static double RadiansToDegrees(double radians) => radians * 180 / Math.PI;

    /// <summary>
    /// The latitude/longitude box that contains every point within a radius of a centre. Near a pole the box
    /// spans every longitude; across the antimeridian it wraps (min &gt; max, matched with OR).
    /// </summary>
    private sealed record BoundingBox(double MinLatitude, double MaxLatitude, double MinLongitude, double MaxLongitude, bool LongitudeWraps)
    {
        public static BoundingBox Around(double latitude, double longitude, double radiusMeters)
        {
            var angular = radiusMeters / EarthRadiusMeters;
            var minLatitude = latitude - RadiansToDegrees(angular);
            var maxLatitude = latitude + RadiansToDegrees(angular);
            if (minLatitude <= -90 || maxLatitude >= 90)
                return new BoundingBox(Math.Max(minLatitude, -90), Math.Min(maxLatitude, 90), -180, 180, false);

            var deltaLongitude = RadiansToDegrees(Math.Asin(Math.Sin(angular) / Math.Cos(DegreesToRadians(latitude))));
            var minLongitude = longitude - deltaLongitude;
            var maxLongitude = longitude + deltaLongitude;
            if (minLongitude < -180) return new BoundingBox(minLatitude, maxLatitude, minLongitude + 360, maxLongitude, true);
            if (maxLongitude > 180) return new BoundingBox(minLatitude, maxLatitude, minLongitude, maxLongitude - 360, true);
            return new BoundingBox(minLatitude, maxLatitude, minLongitude, maxLongitude, false);
        }
    }
}
