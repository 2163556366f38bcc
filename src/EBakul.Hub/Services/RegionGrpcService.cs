using EBakul.Hub.Access;
using EBakul.Hub.Domain.Regions;
using EBakul.Hub.Errors;
using EBakul.Regions.V1;
using Grpc.Core;

namespace EBakul.Hub.Services;

/// <summary>gRPC face of <see cref="RegencyDirectory"/>. A caller sees only the regencies it is admitted to.</summary>
public sealed class RegionGrpcService(RegencyDirectory directory) : RegionService.RegionServiceBase
{
    /// <inheritdoc />
    public override Task<ListRegenciesResponse> ListRegencies(ListRegenciesRequest request, ServerCallContext context)
    {
        var caller = CallerIdentity.Of(context);
        var response = new ListRegenciesResponse();
        response.Regencies.AddRange(directory.Regencies.Values.Where(r => caller.MayTouch(r.Code)).OrderBy(r => r.Code)
            .Select(r => new EBakul.Regions.V1.Regency { Code = r.Code, Name = r.Name }));
        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public override Task<ListKecamatanResponse> ListKecamatan(ListKecamatanRequest request, ServerCallContext context)
    {
        var checks = new FieldChecks();
        RegencyDirectory.CheckCode(request.RegencyCode, checks);
        checks.ThrowIfAny();
        directory.RequireServed(request.RegencyCode);
        var response = new ListKecamatanResponse();
        response.Kecamatan.AddRange(directory.KecamatanOf(request.RegencyCode)
            .Select(k => new EBakul.Regions.V1.Kecamatan { Code = k.Code, Name = k.Name, RegencyCode = k.RegencyCode }));
        return Task.FromResult(response);
    }
}
