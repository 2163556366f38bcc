using EBakul.Hub.Access;
using EBakul.Hub.Errors;
using EBakul.Hub.Domain.Roster;
using EBakul.Roster.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Employee = EBakul.Roster.V1.Employee;

namespace EBakul.Hub.Services;

/// <summary>gRPC face of <see cref="EmployeeSync"/> and <see cref="EmployeeRoster"/>.</summary>
public sealed class RosterGrpcService(EmployeeSync sync, EmployeeRoster roster) : RosterService.RosterServiceBase
{
    /// <inheritdoc />
    public override async Task SyncEmployees(
        IAsyncStreamReader<SyncEmployeesRequest> requestStream, IServerStreamWriter<SyncEmployeesResponse> responseStream,
        ServerCallContext context)
    {
        var caller = CallerIdentity.Of(context).Id;
        await foreach (var chunk in requestStream.ReadAllAsync(context.CancellationToken))
        {
            var response = await sync.SyncChunkAsync(caller, chunk, context.CancellationToken);
            await responseStream.WriteAsync(response, context.CancellationToken);
        }
    }

    /// <inheritdoc />
    public override async Task<SyncEmployeesBatchResponse> SyncEmployeesBatch(SyncEmployeesBatchRequest request, ServerCallContext context)
    {
        var chunk = new SyncEmployeesRequest { RequestId = request.RequestId, RegencyCode = request.RegencyCode, Employees = { request.Employees } };
        var answer = await sync.SyncChunkAsync(CallerIdentity.Of(context).Id, chunk, context.CancellationToken);
        // Both answers carry the same fields under the same numbers.
        return SyncEmployeesBatchResponse.Parser.ParseFrom(answer.ToByteString());
    }

    /// <inheritdoc />
    public override async Task<GetEmployeeResponse> GetEmployee(GetEmployeeRequest request, ServerCallContext context)
    {
        var caller = CallerIdentity.Of(context);
        EmployeeWithOffice employee;
        try
        {
            employee = await roster.GetAsync(request.RegencyCode, request.Nip, context.CancellationToken);
        }
        catch (HubException ex) when (ex.Code == StatusCode.NotFound)
        {
            caller.RequireOwnOffice(null, $"NIP {request.Nip}");
            throw;
        }
        caller.RequireOwnOffice(employee.Employee.OfficeCode, $"NIP {request.Nip}");
        return new GetEmployeeResponse { Employee = ToMessage(employee) };
    }

    /// <inheritdoc />
    public override async Task<ListEmployeesResponse> ListEmployees(ListEmployeesRequest request, ServerCallContext context)
    {
        Domain.Roster.EmployeeStatus? status = request.Status == Roster.V1.EmployeeStatus.Unspecified
            ? null
            : (Domain.Roster.EmployeeStatus)request.Status;
        var officeCode = request.OfficeCode;
        var caller = CallerIdentity.Of(context);
        if (caller.IsOfficeBound)
        {
            caller.RequireOwnOffice(officeCode.Length == 0 ? caller.OfficeCode : officeCode, $"office {officeCode}");
            officeCode = caller.OfficeCode!;
        }
        var page = await roster.ListAsync(
            request.RegencyCode, officeCode, status, request.PageSize, request.PageToken, context.CancellationToken);
        var response = new ListEmployeesResponse { NextPageToken = page.NextPageToken };
        response.Employees.AddRange(page.Employees.Select(ToMessage));
        return response;
    }

    private static Employee ToMessage(EmployeeWithOffice row)
    {
        var e = row.Employee;
        return new Employee
        {
            Nip = e.Nip,
            RegencyCode = e.RegencyCode,
            Name = e.Name,
            OfficeCode = e.OfficeCode,
            OfficeName = row.OfficeName,
            KelasJabatan = e.KelasJabatan,
            EmploymentType = (Roster.V1.EmploymentType)e.EmploymentType,
            Echelon = (Roster.V1.Echelon)e.Echelon,
            TppCeilingRupiah = e.TppCeilingRupiah,
            Status = (Roster.V1.EmployeeStatus)e.Status,
            StatusEffectiveDate = new Google.Type.Date
            {
                Year = e.StatusEffectiveDate.Year, Month = e.StatusEffectiveDate.Month, Day = e.StatusEffectiveDate.Day,
            },
            UpdateTime = Timestamp.FromDateTimeOffset(e.UpdatedAt),
        };
    }
}
