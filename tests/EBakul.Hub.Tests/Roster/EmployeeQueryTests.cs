using EBakul.Hub.Tests.Infrastructure;
using EBakul.Roster.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Infrastructure.RosterTestData;

namespace EBakul.Hub.Tests.Roster;

public sealed class EmployeeQueryTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly RosterService.RosterServiceClient _client;

    public EmployeeQueryTests() => _client = new RosterService.RosterServiceClient(_hub.Channel);

    public void Dispose() => _hub.Dispose();

    private Task<ListEmployeesResponse> List(ListEmployeesRequest request)
    {
        request.RegencyCode = string.IsNullOrEmpty(request.RegencyCode) ? Regency : request.RegencyCode;
        return _client.ListEmployeesAsync(request).ResponseAsync;
    }

    private async Task<List<string>> ListAllNips(ListEmployeesRequest request)
    {
        var nips = new List<string>();
        while (true)
        {
            var page = await List(request);
            Assert.True(page.Employees.Count <= request.PageSize, "page larger than asked");
            nips.AddRange(page.Employees.Select(e => e.Nip));
            if (page.NextPageToken == "") return nips;
            request.PageToken = page.NextPageToken;
        }
    }

    [Fact]
    public async Task Get_returns_the_employee_with_office_name_and_status_date()
    {
        var row = await SyncEmployeeAsync(_hub.Channel, change: e =>
        {
            e.Status = EmployeeStatus.OnLeave;
            e.StatusEffectiveDate = Date(new DateOnly(2025, 8, 17));
        });

        var employee = (await _client.GetEmployeeAsync(new GetEmployeeRequest { RegencyCode = Regency, Nip = row.Nip })).Employee;

        Assert.Equal((row.Nip, Regency, OfficeCode, OfficeName), (employee.Nip, employee.RegencyCode, employee.OfficeCode, employee.OfficeName));
        Assert.Equal(EmployeeStatus.OnLeave, employee.Status);
        Assert.Equal(Date(new DateOnly(2025, 8, 17)), employee.StatusEffectiveDate);
    }

    [Fact]
    public async Task Get_of_an_unknown_nip_or_another_regencys_employee_is_not_found()
    {
        var lamongan = await SyncEmployeeAsync(_hub.Channel, regencyCode: HubFactory.OtherRegencyCode);

        foreach (var nip in new[] { Nip(77), lamongan.Nip })
        {
            var status = await RpcAssert.Expect(StatusCode.NotFound,
                () => _client.GetEmployeeAsync(new GetEmployeeRequest { RegencyCode = Regency, Nip = nip }).ResponseAsync);
            Assert.Equal("EMPLOYEE_NOT_FOUND", status.Reason());
        }
    }

    [Fact]
    public async Task Get_checks_its_arguments()
    {
        var malformed = await RpcAssert.ExpectInvalid("nip",
            () => _client.GetEmployeeAsync(new GetEmployeeRequest { RegencyCode = Regency, Nip = "198502302010011002" }).ResponseAsync);
        Assert.Equal("NIP_INVALID", malformed.Reason());
        Assert.Contains("birth date", malformed.Message);
        await RpcAssert.ExpectInvalid("regency_code",
            () => _client.GetEmployeeAsync(new GetEmployeeRequest { Nip = Nip(1) }).ResponseAsync);
        var regency = await RpcAssert.Expect(StatusCode.NotFound,
            () => _client.GetEmployeeAsync(new GetEmployeeRequest { RegencyCode = "35.99", Nip = Nip(1) }).ResponseAsync);
        Assert.Equal("REGENCY_NOT_FOUND", regency.Reason());
    }

    [Fact]
    public async Task List_pages_by_nip_with_office_and_status_filters()
    {
        // Office 9.01.01: 5 active and 2 on leave; office 9.01.02: 3 active, 1 on leave. Synced out of order.
        var rows = new List<EBakul.Roster.V1.Employee>();
        for (var i = 0; i < 11; i++)
        {
            var office = i < 7 ? "9.01.01" : "9.01.02";
            var onLeave = i is 2 or 5 or 9;
            rows.Add(Employee(Nip(1000 - i * 7), e =>
            {
                e.OfficeCode = office;
                e.OfficeName = office == "9.01.01" ? "Bappeda" : "Inspektorat";
                if (onLeave) e.Status = EmployeeStatus.OnLeave;
            }));
        }
        await SyncAsync(_hub.Channel, rows);
        string[] Nips(Func<EBakul.Roster.V1.Employee, bool> where) =>
            rows.Where(where).Select(e => e.Nip).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(Nips(_ => true), await ListAllNips(new ListEmployeesRequest { PageSize = 3 }));
        Assert.Equal(Nips(e => e.OfficeCode == "9.01.01"), await ListAllNips(new ListEmployeesRequest { OfficeCode = "9.01.01", PageSize = 2 }));
        Assert.Equal(Nips(e => e.Status == EmployeeStatus.OnLeave),
            await ListAllNips(new ListEmployeesRequest { Status = EmployeeStatus.OnLeave, PageSize = 1 }));
        Assert.Equal(Nips(e => e.OfficeCode == "9.01.02" && e.Status == EmployeeStatus.Active),
            await ListAllNips(new ListEmployeesRequest { OfficeCode = "9.01.02", Status = EmployeeStatus.Active, PageSize = 2 }));
        Assert.Empty(await ListAllNips(new ListEmployeesRequest { OfficeCode = "9.09.09", PageSize = 5 }));
        Assert.Empty(await ListAllNips(new ListEmployeesRequest { Status = EmployeeStatus.Left, PageSize = 5 }));

        var first = await List(new ListEmployeesRequest { OfficeCode = "9.01.02", PageSize = 2 });
        Assert.All(first.Employees, e => Assert.Equal("Inspektorat", e.OfficeName));
        Assert.All(first.Employees, e => Assert.NotNull(e.StatusEffectiveDate));
        Assert.NotEqual("", first.NextPageToken);

        // A token only works with the filters it was issued for.
        var mismatch = await RpcAssert.ExpectInvalid("page_token",
            () => List(new ListEmployeesRequest { OfficeCode = "9.01.01", PageSize = 2, PageToken = first.NextPageToken }));
        Assert.Equal("PAGE_TOKEN_INVALID", mismatch.Reason());
        await RpcAssert.ExpectInvalid("page_token",
            () => List(new ListEmployeesRequest { OfficeCode = "9.01.02", Status = EmployeeStatus.Active, PageToken = first.NextPageToken }));
        await RpcAssert.ExpectInvalid("page_token", () => List(new ListEmployeesRequest { PageToken = "not-a-token" }));
    }

    [Fact]
    public async Task List_pages_hold_50_by_default_and_at_most_1000()
    {
        await SyncAsync(_hub.Channel, Enumerable.Range(0, 1060).Select(i => Employee(Nip(i))));

        var defaultPage = await List(new ListEmployeesRequest());
        Assert.Equal(50, defaultPage.Employees.Count);
        Assert.NotEqual("", defaultPage.NextPageToken);

        var largest = await List(new ListEmployeesRequest { PageSize = 1000 });
        Assert.Equal(1000, largest.Employees.Count);
        var rest = await List(new ListEmployeesRequest { PageSize = 1000, PageToken = largest.NextPageToken });
        Assert.Equal(60, rest.Employees.Count);
        Assert.Equal("", rest.NextPageToken);

        var tooLarge = await RpcAssert.ExpectInvalid("page_size", () => List(new ListEmployeesRequest { PageSize = 1001 }));
        Assert.Equal("PAGE_SIZE_OUT_OF_RANGE", tooLarge.Reason());
        await RpcAssert.ExpectInvalid("page_size", () => List(new ListEmployeesRequest { PageSize = -1 }));
    }

    [Fact]
    public async Task List_checks_its_filters()
    {
        await RpcAssert.ExpectInvalid("regency_code", () => _client.ListEmployeesAsync(new ListEmployeesRequest()).ResponseAsync);
        await RpcAssert.ExpectInvalid("office_code", () => List(new ListEmployeesRequest { OfficeCode = "Dinas Kesehatan" }));
        var status = await RpcAssert.ExpectInvalid("status", () => List(new ListEmployeesRequest { Status = (EmployeeStatus)9 }));
        Assert.Equal("ENUM_VALUE_UNKNOWN", status.Reason());
        var regency = await RpcAssert.Expect(StatusCode.NotFound, () => List(new ListEmployeesRequest { RegencyCode = "35.99" }));
        Assert.Equal("REGENCY_NOT_FOUND", regency.Reason());
    }

    [Fact]
    public async Task List_shows_only_the_regencys_own_employees()
    {
        var bojonegoro = await SyncEmployeeAsync(_hub.Channel);
        var tuban = await SyncEmployeeAsync(_hub.Channel, regencyCode: "35.23");

        Assert.Equal([bojonegoro.Nip], (await List(new ListEmployeesRequest())).Employees.Select(e => e.Nip));
        Assert.Equal([tuban.Nip], (await List(new ListEmployeesRequest { RegencyCode = "35.23" })).Employees.Select(e => e.Nip));
    }
}
