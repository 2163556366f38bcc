using System.Globalization;
using EBakul.Hub.Data;
using EBakul.Hub.Domain.Regions;
using EBakul.Roster.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace EBakul.Hub.Tests.Infrastructure;

/// <summary>
/// Puts employees on the roster through the real <c>SyncEmployees</c> stream: valid NIPs, valid employee
/// rows with overridable fields, and one-call syncs.
/// </summary>
public static class RosterTestData
{
    /// <summary>Bojonegoro.</summary>
    public const string Regency = "35.22";

    /// <summary>The office of <see cref="Employee"/> by default.</summary>
    public const string OfficeCode = "1.02.01";

    /// <summary>Its name.</summary>
    public const string OfficeName = "Dinas Kesehatan";

    /// <summary>The status date of <see cref="Employee"/> by default (before <see cref="HubFactory.DefaultNow"/>).</summary>
    public static readonly DateOnly DefaultStatusDate = new(2025, 1, 1);

    private static int _sequence;

    /// <summary>
    /// A valid NIP, distinct for every <paramref name="number"/> from 0 up (birth dates move on one day
    /// every 999 numbers; the serial runs 001-999).
    /// </summary>
    public static string Nip(int number, int gender = 1)
    {
        var birth = new DateOnly(1970, 1, 1).AddDays(number / 999);
        var serial = number % 999 + 1;
        return Nip(birth, birth.Year + 25, 3, gender, serial);
    }

    /// <summary>An NIP from its parts (not checked, so it can build invalid ones too).</summary>
    public static string Nip(DateOnly birth, int appointmentYear, int appointmentMonth, int gender, int serial) =>
        string.Create(CultureInfo.InvariantCulture, $"{birth:yyyyMMdd}{appointmentYear:D4}{appointmentMonth:D2}{gender}{serial:D3}");

    /// <summary>A valid NIP no other call of this method in the test run returns.</summary>
    public static string NewNip() => Nip(500_000 + Interlocked.Increment(ref _sequence));

    /// <summary>A valid employee row (a fresh NIP unless given); adjust fields with <paramref name="change"/>.</summary>
    public static Employee Employee(string? nip = null, Action<Employee>? change = null)
    {
        var employee = new Employee
        {
            Nip = nip ?? NewNip(),
            Name = "Siti Rahayu",
            OfficeCode = OfficeCode,
            OfficeName = OfficeName,
            KelasJabatan = 9,
            EmploymentType = EmploymentType.Pns,
            Echelon = Echelon.NonStructural,
            TppCeilingRupiah = 5_000_000,
            Status = EmployeeStatus.Active,
            StatusEffectiveDate = Date(DefaultStatusDate),
        };
        change?.Invoke(employee);
        return employee;
    }

    /// <summary>A <c>google.type.Date</c>.</summary>
    public static Google.Type.Date Date(DateOnly date) => new() { Year = date.Year, Month = date.Month, Day = date.Day };

    /// <summary>Syncs one chunk on its own stream and returns its response.</summary>
    public static async Task<SyncEmployeesResponse> SyncAsync(
        GrpcChannel channel, IEnumerable<Employee> employees, string regencyCode = Regency, string? requestId = null)
    {
        var responses = await SyncChunksAsync(channel, [Chunk(employees, regencyCode, requestId)]);
        return responses.Single();
    }

    /// <summary>Syncs several chunks on one stream; returns every response received.</summary>
    public static async Task<IReadOnlyList<SyncEmployeesResponse>> SyncChunksAsync(GrpcChannel channel, IEnumerable<SyncEmployeesRequest> chunks)
    {
        using var call = new RosterService.RosterServiceClient(channel).SyncEmployees();
        var reading = Task.Run(async () =>
        {
            var received = new List<SyncEmployeesResponse>();
            await foreach (var response in call.ResponseStream.ReadAllAsync()) received.Add(response);
            return received;
        });
        try
        {
            foreach (var chunk in chunks) await call.RequestStream.WriteAsync(chunk);
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server ended the stream; the reader reports why.
        }
        catch (InvalidOperationException)
        {
            // The call already completed with an error; the reader reports why.
        }
        return await reading;
    }

    /// <summary>A chunk of rows with a fresh request_id unless given.</summary>
    public static SyncEmployeesRequest Chunk(IEnumerable<Employee> employees, string regencyCode = Regency, string? requestId = null)
    {
        var chunk = new SyncEmployeesRequest { RequestId = requestId ?? Guid.NewGuid().ToString("N"), RegencyCode = regencyCode };
        chunk.Employees.AddRange(employees);
        return chunk;
    }

    /// <summary>
    /// Puts one employee on the roster (a valid default row, adjusted by <paramref name="change"/>) and
    /// returns the row as synced; fails the test unless the hub stored it.
    /// </summary>
    public static async Task<Employee> SyncEmployeeAsync(
        GrpcChannel channel, string? nip = null, Action<Employee>? change = null, string regencyCode = Regency)
    {
        var employee = Employee(nip, change);
        var result = (await SyncAsync(channel, [employee], regencyCode)).Results.Single();
        if (result.Outcome is not (SyncOutcome.Created or SyncOutcome.Updated or SyncOutcome.Unchanged))
            throw new InvalidOperationException($"employee {employee.Nip} was not stored: {result.Reason} on {result.Field}: {result.Description}");
        return employee;
    }

}
