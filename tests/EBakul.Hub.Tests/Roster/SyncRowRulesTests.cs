using EBakul.Hub.Tests.Infrastructure;
using EBakul.Roster.V1;
using Grpc.Core;
using static EBakul.Hub.Tests.Infrastructure.RosterTestData;

namespace EBakul.Hub.Tests.Roster;

/// <summary>Every rule a synced row must meet, each broken alone: the row is REJECTED and nothing is stored.</summary>
public sealed class SyncRowRulesTests(SharedRosterHub shared) : IClassFixture<SharedRosterHub>
{
    private readonly HubFactory _hub = shared.Hub;

    private async Task<SyncEmployeeResult> SyncOne(EBakul.Roster.V1.Employee row) =>
        (await SyncAsync(_hub.Channel, [row])).Results.Single();

    private async Task AssertNotStored(string nip)
    {
        if (!EBakul.Hub.Domain.Roster.Nip.TryParse(nip, out _, out _)) return;
        var client = new RosterService.RosterServiceClient(_hub.Channel);
        await RpcAssert.Expect(StatusCode.NotFound,
            () => client.GetEmployeeAsync(new GetEmployeeRequest { RegencyCode = Regency, Nip = nip }).ResponseAsync);
    }

    [Fact]
    public async Task A_valid_nip_is_accepted()
    {
        var result = await SyncOne(Employee("198503152010011002"));
        Assert.Equal(SyncOutcome.Created, result.Outcome);
        Assert.Equal(("", "", ""), (result.Reason, result.Field, result.Description));
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("19850315201001100", "exactly 18 digits")]
    [InlineData("1985031520100110021", "exactly 18 digits")]
    [InlineData("19850315201001100A", "digits only")]
    [InlineData("198502302010011002", "birth date (digits 1-8) 19850230 is not a real date")]
    [InlineData("198503152010131002", "appointment month (digits 9-14) 201013")]
    [InlineData("198503151984121002", "appointment month (digits 9-14) 198412 is not after the birth month")]
    [InlineData("198503152010013002", "gender digit (digit 15) must be 1 or 2")]
    [InlineData("198503152010011000", "serial (digits 16-18) must not be 000")]
    public async Task An_invalid_nip_is_rejected_with_the_part_that_is_wrong(string nip, string expected)
    {
        var result = await SyncOne(Employee(nip));

        Assert.Equal(SyncOutcome.Rejected, result.Outcome);
        Assert.Equal(("NIP_INVALID", "nip", nip), (result.Reason, result.Field, result.Nip));
        Assert.Contains(expected, result.Description);
    }

    private static readonly Dictionary<string, Action<EBakul.Roster.V1.Employee>> Breaks = new()
    {
        ["name empty"] = e => e.Name = "",
        ["name blank"] = e => e.Name = "   ",
        ["name too long"] = e => e.Name = new string('a', 201),
        ["office_code empty"] = e => e.OfficeCode = "",
        ["office_code letters"] = e => e.OfficeCode = "1.02.0A",
        ["office_code double dot"] = e => e.OfficeCode = "1..02",
        ["office_code leading dot"] = e => e.OfficeCode = ".1.02",
        ["office_code trailing dot"] = e => e.OfficeCode = "1.02.",
        ["office_code too long"] = e => e.OfficeCode = string.Join('.', Enumerable.Repeat("12", 11)),
        ["office_name empty"] = e => e.OfficeName = "",
        ["office_name too long"] = e => e.OfficeName = new string('D', 201),
        ["kelas_jabatan 0"] = e => e.KelasJabatan = 0,
        ["kelas_jabatan 18"] = e => e.KelasJabatan = 18,
        ["kelas_jabatan negative"] = e => e.KelasJabatan = -3,
        ["employment_type unspecified"] = e => e.EmploymentType = EmploymentType.Unspecified,
        ["employment_type unknown"] = e => e.EmploymentType = (EmploymentType)7,
        ["echelon unspecified"] = e => e.Echelon = Echelon.Unspecified,
        ["echelon unknown"] = e => e.Echelon = (Echelon)42,
        ["tpp negative"] = e => e.TppCeilingRupiah = -1,
        ["tpp above 100 million"] = e => e.TppCeilingRupiah = 100_000_001,
        ["status unspecified"] = e => e.Status = EmployeeStatus.Unspecified,
        ["status unknown"] = e => e.Status = (EmployeeStatus)4,
        ["date missing"] = e => e.StatusEffectiveDate = null,
        ["date 30 February"] = e => e.StatusEffectiveDate = new Google.Type.Date { Year = 2025, Month = 2, Day = 30 },
        ["date month 13"] = e => e.StatusEffectiveDate = new Google.Type.Date { Year = 2025, Month = 13, Day = 1 },
        ["date without year"] = e => e.StatusEffectiveDate = new Google.Type.Date { Year = 0, Month = 5, Day = 1 },
        ["date tomorrow"] = e => e.StatusEffectiveDate = Date(new DateOnly(2025, 10, 16)),
    };

    [Theory]
    [InlineData("name empty", "name", "FIELD_REQUIRED")]
    [InlineData("name blank", "name", "FIELD_REQUIRED")]
    [InlineData("name too long", "name", "FIELD_TOO_LONG")]
    [InlineData("office_code empty", "office_code", "FIELD_REQUIRED")]
    [InlineData("office_code letters", "office_code", "OFFICE_CODE_INVALID")]
    [InlineData("office_code double dot", "office_code", "OFFICE_CODE_INVALID")]
    [InlineData("office_code leading dot", "office_code", "OFFICE_CODE_INVALID")]
    [InlineData("office_code trailing dot", "office_code", "OFFICE_CODE_INVALID")]
    [InlineData("office_code too long", "office_code", "FIELD_TOO_LONG")]
    [InlineData("office_name empty", "office_name", "FIELD_REQUIRED")]
    [InlineData("office_name too long", "office_name", "FIELD_TOO_LONG")]
    [InlineData("kelas_jabatan 0", "kelas_jabatan", "KELAS_JABATAN_OUT_OF_RANGE")]
    [InlineData("kelas_jabatan 18", "kelas_jabatan", "KELAS_JABATAN_OUT_OF_RANGE")]
    [InlineData("kelas_jabatan negative", "kelas_jabatan", "KELAS_JABATAN_OUT_OF_RANGE")]
    [InlineData("employment_type unspecified", "employment_type", "FIELD_REQUIRED")]
    [InlineData("employment_type unknown", "employment_type", "ENUM_VALUE_UNKNOWN")]
    [InlineData("echelon unspecified", "echelon", "FIELD_REQUIRED")]
    [InlineData("echelon unknown", "echelon", "ENUM_VALUE_UNKNOWN")]
    [InlineData("tpp negative", "tpp_ceiling_rupiah", "TPP_CEILING_OUT_OF_RANGE")]
    [InlineData("tpp above 100 million", "tpp_ceiling_rupiah", "TPP_CEILING_OUT_OF_RANGE")]
    [InlineData("status unspecified", "status", "FIELD_REQUIRED")]
    [InlineData("status unknown", "status", "ENUM_VALUE_UNKNOWN")]
    [InlineData("date missing", "status_effective_date", "FIELD_REQUIRED")]
    [InlineData("date 30 February", "status_effective_date", "DATE_INVALID")]
    [InlineData("date month 13", "status_effective_date", "DATE_INVALID")]
    [InlineData("date without year", "status_effective_date", "DATE_INVALID")]
    [InlineData("date tomorrow", "status_effective_date", "DATE_IN_FUTURE")]
    public async Task A_row_breaking_one_rule_is_rejected_on_that_field(string rule, string field, string reason)
    {
        var row = Employee(change: Breaks[rule]);

        var result = await SyncOne(row);

        Assert.Equal(SyncOutcome.Rejected, result.Outcome);
        Assert.Equal((reason, field, row.Nip, 0), (result.Reason, result.Field, result.Nip, result.Index));
        Assert.NotEmpty(result.Description);
        await AssertNotStored(row.Nip);
    }

    [Fact]
    public async Task Boundary_values_are_accepted()
    {
        var rows = new[]
        {
            Employee(change: e => { e.KelasJabatan = 1; e.TppCeilingRupiah = 0; }),
            Employee(change: e => { e.KelasJabatan = 17; e.TppCeilingRupiah = 100_000_000; }),
            Employee(change: e => { e.Name = new string('a', 200); e.OfficeCode = "7"; e.OfficeName = new string('D', 200); }),
            Employee(change: e => e.StatusEffectiveDate = Date(new DateOnly(2025, 10, 15))),
            Employee(change: e => { e.EmploymentType = EmploymentType.Pppk; e.Echelon = Echelon.IvB; e.Status = EmployeeStatus.Left; }),
        };

        var response = await SyncAsync(_hub.Channel, rows);

        Assert.All(response.Results, r => Assert.Equal(SyncOutcome.Created, r.Outcome));
    }

    [Fact]
    public async Task A_row_with_several_problems_names_the_first_field_and_the_others()
    {
        var row = Employee(change: e => { e.Name = ""; e.KelasJabatan = 99; e.Status = EmployeeStatus.Unspecified; });

        var result = await SyncOne(row);

        Assert.Equal(("FIELD_REQUIRED", "name"), (result.Reason, result.Field));
        Assert.Contains("also invalid: kelas_jabatan, status", result.Description);
    }

    [Fact]
    public async Task Today_is_the_Jakarta_date()
    {
        // 23:30 UTC on 15 October is already 06:30 on 16 October in Jakarta.
        using var hub = new HubFactory();
        hub.Clock.Set(new DateTimeOffset(2025, 10, 15, 23, 30, 0, TimeSpan.Zero));

        var response = await SyncAsync(hub.Channel,
        [
            Employee(change: e => e.StatusEffectiveDate = Date(new DateOnly(2025, 10, 16))),
            Employee(change: e => e.StatusEffectiveDate = Date(new DateOnly(2025, 10, 17))),
        ]);

        Assert.Equal(SyncOutcome.Created, response.Results[0].Outcome);
        Assert.Equal(("DATE_IN_FUTURE", "status_effective_date"), (response.Results[1].Reason, response.Results[1].Field));
    }

    [Fact]
    public async Task Invalid_rows_do_not_stop_the_valid_rows_of_their_chunk()
    {
        var rows = new[]
        {
            Employee(),
            Employee(change: e => e.KelasJabatan = 0),
            Employee("123"),
            Employee(),
        };

        var response = await SyncAsync(_hub.Channel, rows);

        Assert.Equal([0, 1, 2, 3], response.Results.Select(r => r.Index));
        Assert.Equal(rows.Select(r => r.Nip), response.Results.Select(r => r.Nip));
        Assert.Equal(
            [SyncOutcome.Created, SyncOutcome.Rejected, SyncOutcome.Rejected, SyncOutcome.Created],
            response.Results.Select(r => r.Outcome));
        await AssertNotStored(rows[1].Nip);
    }
}
