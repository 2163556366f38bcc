using EBakul.Hub.Domain;
using EBakul.Hub.Domain.Roster;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Roster.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static EBakul.Hub.Tests.Infrastructure.RosterTestData;
using Echelon = EBakul.Roster.V1.Echelon;
using EmployeeStatus = EBakul.Roster.V1.EmployeeStatus;
using EmploymentType = EBakul.Roster.V1.EmploymentType;

namespace EBakul.Hub.Tests.Roster;

public sealed class SyncEmployeesTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly RosterService.RosterServiceClient _client;

    public SyncEmployeesTests() => _client = new RosterService.RosterServiceClient(_hub.Channel);

    public void Dispose() => _hub.Dispose();

    private async Task<EBakul.Roster.V1.Employee> Get(string nip, string regency = Regency) =>
        (await _client.GetEmployeeAsync(new GetEmployeeRequest { RegencyCode = regency, Nip = nip })).Employee;

    private async Task<IReadOnlyList<EmployeeStatusChange>> StatusChanges(string nip)
    {
        await using var scope = _hub.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EmployeeRoster>().StatusChangesAsync(Regency, nip, CancellationToken.None);
    }

    [Fact]
    public async Task A_new_row_is_created_then_unchanged_then_updated()
    {
        var row = Employee(change: e =>
        {
            e.Name = "Budi Santoso, S.Kom.";
            e.KelasJabatan = 14;
            e.Echelon = Echelon.IiiB;
            e.TppCeilingRupiah = 12_500_000;
        });

        var created = (await SyncAsync(_hub.Channel, [row])).Results.Single();
        Assert.Equal((SyncOutcome.Created, row.Nip, 0), (created.Outcome, created.Nip, created.Index));

        var stored = await Get(row.Nip);
        var expected = row.Clone();
        expected.RegencyCode = Regency;
        expected.UpdateTime = Timestamp.FromDateTimeOffset(HubFactory.DefaultNow);
        Assert.Equal(expected, stored);

        _hub.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(SyncOutcome.Unchanged, (await SyncAsync(_hub.Channel, [row])).Results.Single().Outcome);
        Assert.Equal(expected.UpdateTime, (await Get(row.Nip)).UpdateTime);

        var promoted = row.Clone();
        promoted.KelasJabatan = 15;
        promoted.OfficeCode = "1.03.01";
        promoted.OfficeName = "Dinas Pendidikan";
        Assert.Equal(SyncOutcome.Updated, (await SyncAsync(_hub.Channel, [promoted])).Results.Single().Outcome);
        var after = await Get(row.Nip);
        Assert.Equal((15, "1.03.01", "Dinas Pendidikan"), (after.KelasJabatan, after.OfficeCode, after.OfficeName));
        Assert.Equal(Timestamp.FromDateTimeOffset(HubFactory.DefaultNow.AddHours(1)), after.UpdateTime);
    }

    [Fact]
    public async Task Names_with_quotes_and_non_ascii_letters_are_stored_as_sent()
    {
        var row = Employee(change: e =>
        {
            e.Name = "Dra. Ni'mah \"Ayu\" Ṣāliḥah <&> \\ Rp😀";
            e.OfficeName = "Dinas Perumahan, Kawasan Permukiman & Cipta Karya";
        });
        await SyncAsync(_hub.Channel, [row]);

        var stored = await Get(row.Nip);
        Assert.Equal((row.Name, row.OfficeName), (stored.Name, stored.OfficeName));
        Assert.Equal(SyncOutcome.Unchanged, (await SyncAsync(_hub.Channel, [row])).Results.Single().Outcome);

        row.Name += " (updated)";
        Assert.Equal(SyncOutcome.Updated, (await SyncAsync(_hub.Channel, [row])).Results.Single().Outcome);
        Assert.Equal(row.Name, (await Get(row.Nip)).Name);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("office_code")]
    [InlineData("kelas_jabatan")]
    [InlineData("employment_type")]
    [InlineData("echelon")]
    [InlineData("tpp_ceiling_rupiah")]
    [InlineData("status")]
    [InlineData("status_effective_date")]
    public async Task A_change_of_any_field_is_an_update(string field)
    {
        var row = Employee();
        await SyncAsync(_hub.Channel, [row]);
        var changed = row.Clone();
        switch (field)
        {
            case "name": changed.Name = "Another Name"; break;
            case "office_code": changed.OfficeCode = "4.01.01"; break;
            case "kelas_jabatan": changed.KelasJabatan = 10; break;
            case "employment_type": changed.EmploymentType = EmploymentType.Pppk; break;
            case "echelon": changed.Echelon = Echelon.IvA; break;
            case "tpp_ceiling_rupiah": changed.TppCeilingRupiah += 1; break;
            case "status": changed.Status = EmployeeStatus.OnLeave; break;
            case "status_effective_date": changed.StatusEffectiveDate = Date(new DateOnly(2024, 12, 31)); break;
        }

        Assert.Equal(SyncOutcome.Updated, (await SyncAsync(_hub.Channel, [changed])).Results.Single().Outcome);
        var stored = await Get(row.Nip);
        stored.UpdateTime = null;
        changed.RegencyCode = Regency;
        Assert.Equal(changed, stored);
    }

    [Fact]
    public async Task Only_status_changes_append_to_the_timeline()
    {
        var row = Employee();
        await SyncAsync(_hub.Channel, [row]);
        Assert.Single(await StatusChanges(row.Nip));

        row.KelasJabatan = 12;
        await SyncAsync(_hub.Channel, [row]);
        Assert.Single(await StatusChanges(row.Nip));

        _hub.Clock.Advance(TimeSpan.FromDays(1));
        row.Status = EmployeeStatus.OnLeave;
        row.StatusEffectiveDate = Date(new DateOnly(2025, 9, 1));
        await SyncAsync(_hub.Channel, [row]);
        row.StatusEffectiveDate = Date(new DateOnly(2025, 9, 2));
        await SyncAsync(_hub.Channel, [row]);
        row.Status = EmployeeStatus.Active;
        row.StatusEffectiveDate = Date(new DateOnly(2025, 9, 20));
        await SyncAsync(_hub.Channel, [row]);
        await SyncAsync(_hub.Channel, [row]);

        var changes = await StatusChanges(row.Nip);
        Assert.Equal(
            [
                (Domain.Roster.EmployeeStatus.Active, new DateOnly(2025, 1, 1)),
                (Domain.Roster.EmployeeStatus.OnLeave, new DateOnly(2025, 9, 1)),
                (Domain.Roster.EmployeeStatus.OnLeave, new DateOnly(2025, 9, 2)),
                (Domain.Roster.EmployeeStatus.Active, new DateOnly(2025, 9, 20)),
            ],
            changes.Select(c => (c.Status, c.EffectiveDate)));
        Assert.Equal(HubFactory.DefaultNow, changes[0].RecordedAt);
        Assert.Equal(HubFactory.DefaultNow.AddDays(1), changes[3].RecordedAt);

        // Active 1 September, on leave 2-19, active again from the 20th.
        Assert.Equal(1 + 11, StatusTimeline.ActiveDays(changes, new Period(2025, 9)));
        Assert.Equal(31, StatusTimeline.ActiveDays(changes, new Period(2025, 8)));
        Assert.Equal(0, StatusTimeline.ActiveDays(changes, new Period(2024, 12)));
    }

    [Fact]
    public async Task The_later_row_of_a_nip_twice_in_a_chunk_is_rejected()
    {
        var first = Employee(change: e => e.KelasJabatan = 5);
        var second = Employee(first.Nip, e => e.KelasJabatan = 6);
        var other = Employee();

        var response = await SyncAsync(_hub.Channel, [first, other, second]);

        Assert.Equal([SyncOutcome.Created, SyncOutcome.Created, SyncOutcome.Rejected], response.Results.Select(r => r.Outcome));
        Assert.Equal(("DUPLICATE_IN_CHUNK", "nip", 2), (response.Results[2].Reason, response.Results[2].Field, response.Results[2].Index));
        Assert.Equal(5, (await Get(first.Nip)).KelasJabatan);
        Assert.Single(await StatusChanges(first.Nip));
    }

    [Fact]
    public async Task A_nip_of_another_regency_is_rejected_and_stays_hidden()
    {
        var row = Employee();
        await SyncAsync(_hub.Channel, [row]);

        var moved = row.Clone();
        moved.Name = "Changed By Tuban";
        var result = (await SyncAsync(_hub.Channel, [moved], "35.23")).Results.Single();

        Assert.Equal((SyncOutcome.Rejected, "NIP_IN_OTHER_REGENCY", "nip"), (result.Outcome, result.Reason, result.Field));
        Assert.Equal(row.Name, (await Get(row.Nip)).Name);
        var notFound = await RpcAssert.Expect(StatusCode.NotFound, () => Get(row.Nip, "35.23"));
        Assert.Equal("EMPLOYEE_NOT_FOUND", notFound.Reason());

        // Tuban's own employees sync normally.
        var tuban = Employee();
        Assert.Equal(SyncOutcome.Created, (await SyncAsync(_hub.Channel, [tuban], "35.23")).Results.Single().Outcome);
        Assert.Equal("35.23", (await Get(tuban.Nip, "35.23")).RegencyCode);
    }

    [Fact]
    public async Task Offices_are_named_by_the_rows_and_a_rename_leaves_employees_unchanged()
    {
        var a = Employee(change: e => { e.OfficeCode = "2.01.01"; e.OfficeName = "Dinas Koperasi"; });
        var b = Employee(change: e => { e.OfficeCode = "2.01.01"; e.OfficeName = "Dinas Koperasi"; });
        await SyncAsync(_hub.Channel, [a, b]);

        a.OfficeName = "Dinas Koperasi dan Usaha Mikro";
        Assert.Equal(SyncOutcome.Unchanged, (await SyncAsync(_hub.Channel, [a])).Results.Single().Outcome);
        Assert.Equal("Dinas Koperasi dan Usaha Mikro", (await Get(b.Nip)).OfficeName);

        // Within a chunk, the last row naming an office decides its name.
        b.OfficeName = "Dinas Koperasi, Usaha Kecil dan Menengah";
        a.OfficeName = "Dinas Koperasi UKM";
        await SyncAsync(_hub.Channel, [b, a]);
        Assert.Equal("Dinas Koperasi UKM", (await Get(b.Nip)).OfficeName);
    }

    [Fact]
    public async Task One_stream_answers_every_chunk_in_order()
    {
        var chunks = Enumerable.Range(0, 4)
            .Select(i => Chunk(Enumerable.Range(0, 3).Select(_ => Employee()), requestId: $"sync-2025-10-chunk-{i}"))
            .ToList();

        var responses = await SyncChunksAsync(_hub.Channel, chunks);

        Assert.Equal(chunks.Select(c => c.RequestId), responses.Select(r => r.RequestId));
        Assert.All(responses, r => Assert.Equal(3, r.Results.Count));
        foreach (var chunk in chunks)
            foreach (var row in chunk.Employees)
                Assert.Equal(row.Name, (await Get(row.Nip)).Name);
    }

    [Fact]
    public async Task A_sync_cancelled_mid_stream_and_resumed_with_the_same_request_ids_stores_each_nip_once()
    {
        var chunks = Enumerable.Range(0, 5)
            .Select(c => Chunk(Enumerable.Range(0, 200).Select(_ => Employee()), requestId: $"sync-resume-{c}")).ToList();
        using (var cancel = new CancellationTokenSource())
        {
            using var call = _client.SyncEmployees(cancellationToken: cancel.Token);
            foreach (var chunk in chunks) await call.RequestStream.WriteAsync(chunk);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            await cancel.CancelAsync();
        }

        var resumed = await SyncChunksAsync(_hub.Channel, chunks.Skip(1));

        Assert.All(resumed, answer => Assert.All(answer.Results, r => Assert.Equal(SyncOutcome.Created, r.Outcome)));
        var stored = await _client.ListEmployeesAsync(new ListEmployeesRequest { RegencyCode = Regency, PageSize = 1000 });
        Assert.Equal(chunks.SelectMany(c => c.Employees).Select(e => e.Nip).Order(), stored.Employees.Select(e => e.Nip).Order());
    }

    [Fact]
    public async Task A_retried_chunk_is_answered_from_the_stored_response()
    {
        var row = Employee();
        var chunk = Chunk([row, Employee(change: e => e.KelasJabatan = 0)], requestId: "roster-sync-1");
        var first = (await SyncChunksAsync(_hub.Channel, [chunk])).Single();

        var update = row.Clone();
        update.KelasJabatan = 16;
        await SyncAsync(_hub.Channel, [update]);

        var replay = (await SyncChunksAsync(_hub.Channel, [chunk])).Single();

        Assert.Equal(first.ToByteArray(), replay.ToByteArray());
        Assert.Equal(SyncOutcome.Created, replay.Results[0].Outcome);
        Assert.Equal(16, (await Get(row.Nip)).KelasJabatan);
        Assert.Single(await StatusChanges(row.Nip));
    }

    [Fact]
    public async Task A_request_id_reused_for_another_chunk_ends_the_stream()
    {
        await SyncAsync(_hub.Channel, [Employee()], requestId: "roster-sync-7");
        var other = Employee();

        var status = await RpcAssert.Expect(StatusCode.FailedPrecondition,
            () => SyncAsync(_hub.Channel, [other], requestId: "roster-sync-7"));

        Assert.Equal("REQUEST_ID_REUSED", status.Reason());
        await RpcAssert.Expect(StatusCode.NotFound, () => Get(other.Nip));
    }

    [Fact]
    public async Task Malformed_chunks_end_the_stream_with_a_precise_status()
    {
        var noId = await RpcAssert.ExpectInvalid("request_id", () => SyncAsync(_hub.Channel, [Employee()], requestId: ""));
        Assert.Equal("FIELD_REQUIRED", noId.Reason());
        await RpcAssert.ExpectInvalid("request_id", () => SyncAsync(_hub.Channel, [Employee()], requestId: "bad id with spaces"));
        await RpcAssert.ExpectInvalid("regency_code", () => SyncAsync(_hub.Channel, [Employee()], regencyCode: ""));
        await RpcAssert.ExpectInvalid("employees", () => SyncAsync(_hub.Channel, []));

        var tooMany = await RpcAssert.ExpectInvalid("employees",
            () => SyncAsync(_hub.Channel, Enumerable.Range(0, EmployeeSync.MaxRowsPerChunk + 1).Select(i => Employee(Nip(i)))));
        Assert.Equal("CHUNK_TOO_LARGE", tooMany.Reason());

        var unknown = await RpcAssert.Expect(StatusCode.NotFound, () => SyncAsync(_hub.Channel, [Employee()], regencyCode: "35.99"));
        Assert.Equal("REGENCY_NOT_FOUND", unknown.Reason());

        var list = await _client.ListEmployeesAsync(new ListEmployeesRequest { RegencyCode = Regency });
        Assert.Empty(list.Employees);
    }

    [Fact]
    public async Task A_full_chunk_is_accepted_and_chunks_before_a_malformed_one_stay_committed()
    {
        var full = Chunk(Enumerable.Range(0, EmployeeSync.MaxRowsPerChunk).Select(i => Employee(Nip(i))));
        var good = Employee();
        var status = await RpcAssert.Expect(StatusCode.InvalidArgument,
            () => SyncChunksAsync(_hub.Channel, [full, Chunk([good]), Chunk([Employee()], requestId: "")]));

        Assert.Contains("request_id", status.Fields());
        Assert.Equal(good.Name, (await Get(good.Nip)).Name);
        Assert.Equal(full.Employees[^1].Nip, (await Get(full.Employees[^1].Nip)).Nip);
    }
}
