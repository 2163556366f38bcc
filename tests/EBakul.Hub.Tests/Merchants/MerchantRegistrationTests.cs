using System.Collections.Concurrent;
using System.Text;
using EBakul.Hub.Data;
using EBakul.Hub.Tests.Infrastructure;
using EBakul.Merchants.V1;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EBakul.Hub.Tests.Merchants;

public sealed class MerchantRegistrationTests : IDisposable
{
    private readonly HubFactory _hub = new();
    private readonly MerchantService.MerchantServiceClient _client;

    public MerchantRegistrationTests() => _client = new MerchantService.MerchantServiceClient(_hub.Channel);

    public void Dispose() => _hub.Dispose();

    private Task<RegisterMerchantResponse> Register(MerchantDraft draft, string regency = TestData.Regency, string? requestId = null) =>
        _client.RegisterMerchantAsync(new RegisterMerchantRequest
        {
            RequestId = requestId ?? TestData.RequestId(), RegencyCode = regency, Merchant = draft,
        }).ResponseAsync;

    [Fact]
    public async Task Register_returns_a_pending_merchant_and_get_returns_the_same()
    {
        var draft = TestData.ValidMerchantDraft(name: "  Warung Pecel Bu Tini  ");

        var merchant = (await Register(draft)).Merchant;

        Assert.Matches("^[0-9a-f]{32}$", merchant.MerchantId);
        Assert.Equal(TestData.Regency, merchant.RegencyCode);
        Assert.Equal("Warung Pecel Bu Tini", merchant.Name);
        Assert.Equal(draft.OwnerName, merchant.OwnerName);
        Assert.Equal(draft.Nib, merchant.Nib);
        Assert.Equal(draft.QrisNmid, merchant.QrisNmid);
        Assert.Equal(MerchantCategory.FoodAndDrink, merchant.Category);
        Assert.Equal(MerchantScale.Micro, merchant.Scale);
        Assert.Equal(draft.KecamatanCode, merchant.KecamatanCode);
        Assert.Equal(draft.Address, merchant.Address);
        Assert.Equal(draft.Location, merchant.Location);
        Assert.Equal(MerchantStatus.PendingVerification, merchant.Status);
        Assert.Equal("registered", merchant.StatusReason);
        Assert.True(merchant.HasOwnerNik);
        Assert.Equal(HubFactory.DefaultNow, merchant.CreateTime.ToDateTimeOffset());
        Assert.Equal(HubFactory.DefaultNow, merchant.UpdateTime.ToDateTimeOffset());

        var got = await _client.GetMerchantAsync(new GetMerchantRequest { RegencyCode = TestData.Regency, MerchantId = merchant.MerchantId });
        Assert.Equal(merchant, got.Merchant);
    }

    [Fact]
    public async Task Registration_appends_the_initial_pending_status_to_the_history()
    {
        var merchant = (await Register(TestData.ValidMerchantDraft())).Merchant;

        var history = await StatusHistory(merchant.MerchantId);
        var change = Assert.Single(history);
        Assert.Equal(Domain.Merchants.MerchantStatus.PendingVerification, change.Status);
        Assert.Equal("registered", change.Reason);
        Assert.Equal(HubFactory.DefaultNow, change.EffectiveAt);
        Assert.Equal(HubFactory.TestAdminId, change.ChangedBy);
    }

    [Fact]
    public async Task Merchant_without_nib_qris_or_location_is_accepted()
    {
        var draft = TestData.ValidMerchantDraft(latitude: null);
        draft.Nib = "";
        draft.QrisNmid = "";

        var merchant = (await Register(draft)).Merchant;
        var second = TestData.ValidMerchantDraft(latitude: null);
        second.Nib = "";
        second.QrisNmid = "";
        var other = (await Register(second)).Merchant;

        Assert.Equal("", merchant.Nib);
        Assert.Equal("", merchant.QrisNmid);
        Assert.Null(merchant.Location);
        Assert.NotEqual(merchant.MerchantId, other.MerchantId);
    }

    [Fact]
    public async Task Retried_request_returns_the_first_result_and_registers_once()
    {
        var requestId = TestData.RequestId();
        var draft = TestData.ValidMerchantDraft();

        var first = await Register(draft, requestId: requestId);
        _hub.Clock.Advance(TimeSpan.FromMinutes(5));
        var retry = await Register(draft, requestId: requestId);

        Assert.Equal(first, retry);
        var list = await _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency });
        Assert.Single(list.Merchants);
    }

    [Fact]
    public async Task Request_id_reused_for_another_merchant_is_refused()
    {
        var requestId = TestData.RequestId();
        await Register(TestData.ValidMerchantDraft(), requestId: requestId);

        var status = await RpcAssert.Expect(StatusCode.FailedPrecondition, () => Register(TestData.ValidMerchantDraft(), requestId: requestId));
        Assert.Equal("REQUEST_ID_REUSED", status.Reason());
    }

    public static TheoryData<string, string, string> InvalidDrafts => new()
    {
        // case, field, reason
        { "name empty", "merchant.name", "FIELD_REQUIRED" },
        { "name too long", "merchant.name", "FIELD_TOO_LONG" },
        { "owner_name blank", "merchant.owner_name", "FIELD_REQUIRED" },
        { "owner_name too long", "merchant.owner_name", "FIELD_TOO_LONG" },
        { "owner_nik empty", "merchant.owner_nik", "FIELD_REQUIRED" },
        { "owner_nik 15 digits", "merchant.owner_nik", "NIK_INVALID" },
        { "owner_nik letters", "merchant.owner_nik", "NIK_INVALID" },
        { "owner_nik month 13", "merchant.owner_nik", "NIK_BIRTH_DATE_INVALID" },
        { "owner_nik day 32", "merchant.owner_nik", "NIK_BIRTH_DATE_INVALID" },
        { "owner_nik woman day 72", "merchant.owner_nik", "NIK_BIRTH_DATE_INVALID" },
        { "owner_nik 31 April", "merchant.owner_nik", "NIK_BIRTH_DATE_INVALID" },
        { "owner_nik day 00", "merchant.owner_nik", "NIK_BIRTH_DATE_INVALID" },
        { "nib 12 digits", "merchant.nib", "NIB_INVALID" },
        { "nib with letter", "merchant.nib", "NIB_INVALID" },
        { "category unspecified", "merchant.category", "FIELD_REQUIRED" },
        { "category unknown", "merchant.category", "ENUM_VALUE_UNKNOWN" },
        { "category modern retail", "merchant.category", "CATEGORY_EXCLUDED" },
        { "category franchise", "merchant.category", "CATEGORY_EXCLUDED" },
        { "scale unspecified", "merchant.scale", "FIELD_REQUIRED" },
        { "scale unknown", "merchant.scale", "ENUM_VALUE_UNKNOWN" },
        { "kecamatan empty", "merchant.kecamatan_code", "FIELD_REQUIRED" },
        { "kecamatan of another regency", "merchant.kecamatan_code", "KECAMATAN_NOT_IN_REGENCY" },
        { "kecamatan unknown", "merchant.kecamatan_code", "KECAMATAN_NOT_IN_REGENCY" },
        { "address empty", "merchant.address", "FIELD_REQUIRED" },
        { "address too long", "merchant.address", "FIELD_TOO_LONG" },
        { "latitude 91", "merchant.location.latitude", "LATITUDE_OUT_OF_RANGE" },
        { "latitude NaN", "merchant.location.latitude", "LATITUDE_OUT_OF_RANGE" },
        { "longitude -181", "merchant.location.longitude", "LONGITUDE_OUT_OF_RANGE" },
        { "latitude missing", "merchant.location.latitude", "FIELD_REQUIRED" },
        { "longitude missing", "merchant.location.longitude", "FIELD_REQUIRED" },
        { "qris without ID", "merchant.qris_nmid", "QRIS_NMID_INVALID" },
        { "qris too short", "merchant.qris_nmid", "QRIS_NMID_INVALID" },
        { "qris lowercase id", "merchant.qris_nmid", "QRIS_NMID_INVALID" },
    };

    private static MerchantDraft Break(string @case)
    {
        var d = TestData.ValidMerchantDraft();
        switch (@case)
        {
            case "name empty": d.Name = ""; break;
            case "name too long": d.Name = new string('a', 201); break;
            case "owner_name blank": d.OwnerName = "   "; break;
            case "owner_name too long": d.OwnerName = new string('b', 201); break;
            case "owner_nik empty": d.OwnerNik = ""; break;
            case "owner_nik 15 digits": d.OwnerNik = "352215520485000"; break;
            case "owner_nik letters": d.OwnerNik = "35221552048500A1"; break;
            case "owner_nik month 13": d.OwnerNik = "3522151213850001"; break;
            case "owner_nik day 32": d.OwnerNik = "3522153201850001"; break;
            case "owner_nik woman day 72": d.OwnerNik = "3522157201850001"; break;
            case "owner_nik 31 April": d.OwnerNik = "3522153104850001"; break;
            case "owner_nik day 00": d.OwnerNik = "3522150004850001"; break;
            case "nib 12 digits": d.Nib = "912345678901"; break;
            case "nib with letter": d.Nib = "91234567890X1"; break;
            case "category unspecified": d.Category = MerchantCategory.Unspecified; break;
            case "category unknown": d.Category = (MerchantCategory)42; break;
            case "category modern retail": d.Category = MerchantCategory.ModernRetail; break;
            case "category franchise": d.Category = MerchantCategory.Franchise; break;
            case "scale unspecified": d.Scale = MerchantScale.Unspecified; break;
            case "scale unknown": d.Scale = (MerchantScale)9; break;
            case "kecamatan empty": d.KecamatanCode = ""; break;
            case "kecamatan of another regency": d.KecamatanCode = "35.23.01"; break;
            case "kecamatan unknown": d.KecamatanCode = "35.22.99"; break;
            case "address empty": d.Address = ""; break;
            case "address too long": d.Address = new string('c', 501); break;
            case "latitude 91": d.Location.Latitude = 91; break;
            case "latitude NaN": d.Location.Latitude = double.NaN; break;
            case "longitude -181": d.Location.Longitude = -181; break;
            case "latitude missing": d.Location = new GeoPoint { Longitude = 111.88 }; break;
            case "longitude missing": d.Location = new GeoPoint { Latitude = -7.15 }; break;
            case "qris without ID": d.QrisNmid = "XX1025380163258"; break;
            case "qris too short": d.QrisNmid = "ID102538016325"; break;
            case "qris lowercase id": d.QrisNmid = "id1025380163258"; break;
            default: throw new ArgumentOutOfRangeException(nameof(@case), @case, null);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(InvalidDrafts))]
    public async Task Invalid_field_is_refused_with_its_path_and_reason_and_nothing_is_registered(string @case, string field, string reason)
    {
        var draft = Break(@case);

        var status = await RpcAssert.ExpectInvalid(field, () => Register(draft));

        var violation = Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal((field, reason), (violation.Field, violation.Reason));
        Assert.Equal(reason, status.Reason());
        if (draft.OwnerNik.Length > 0) Assert.DoesNotContain(draft.OwnerNik, status.Message, StringComparison.Ordinal);
        var list = await _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency });
        Assert.Empty(list.Merchants);
    }

    [Fact]
    public async Task Excluded_category_says_modern_retail_and_franchises_are_not_part_of_e_bakul()
    {
        var draft = TestData.ValidMerchantDraft(category: MerchantCategory.ModernRetail);

        var status = await RpcAssert.ExpectInvalid("merchant.category", () => Register(draft));

        var violation = Assert.Single(status.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("CATEGORY_EXCLUDED", violation.Reason);
        Assert.Contains("modern retail and franchises are not part of e-Bakul", violation.Description);
    }

    [Fact]
    public async Task Women_add_40_to_the_birth_day_of_their_nik_and_29_february_exists_in_leap_years()
    {
        var woman = TestData.ValidMerchantDraft();
        woman.OwnerNik = TestData.Nik(new DateOnly(1990, 1, 31), woman: true); // day 71
        var leap = TestData.ValidMerchantDraft();
        leap.OwnerNik = TestData.Nik(new DateOnly(2000, 2, 29));

        Assert.True((await Register(woman)).Merchant.HasOwnerNik);
        Assert.True((await Register(leap)).Merchant.HasOwnerNik);
    }

    [Fact]
    public async Task Every_violation_is_reported_at_once()
    {
        var draft = new MerchantDraft
        {
            OwnerNik = "123", Nib = "1", Category = MerchantCategory.Franchise, KecamatanCode = "35.22.99",
            Location = new GeoPoint { Latitude = -95 }, QrisNmid = "ID1",
        };

        var status = await RpcAssert.Expect(StatusCode.InvalidArgument, () => _client.RegisterMerchantAsync(
            new RegisterMerchantRequest { RegencyCode = TestData.Regency, Merchant = draft }).ResponseAsync);

        Assert.Equal("REQUEST_INVALID", status.Reason());
        Assert.Equal(
            new[]
            {
                "request_id", "merchant.name", "merchant.owner_name", "merchant.owner_nik", "merchant.nib", "merchant.category",
                "merchant.scale", "merchant.kecamatan_code", "merchant.address", "merchant.location.latitude",
                "merchant.location.longitude", "merchant.qris_nmid",
            },
            status.Fields());
    }

    [Fact]
    public async Task Missing_draft_reports_every_required_field()
    {
        var status = await RpcAssert.Expect(StatusCode.InvalidArgument, () => _client.RegisterMerchantAsync(
            new RegisterMerchantRequest { RequestId = TestData.RequestId(), RegencyCode = TestData.Regency }).ResponseAsync);

        Assert.Contains("merchant.name", status.Fields());
        Assert.Contains("merchant.owner_nik", status.Fields());
        Assert.Contains("merchant.kecamatan_code", status.Fields());
    }

    [Fact]
    public async Task Unknown_regency_is_not_found_but_only_after_the_field_checks()
    {
        var notFound = await RpcAssert.Expect(StatusCode.NotFound, () => Register(TestData.ValidMerchantDraft(), regency: "35.99"));
        Assert.Equal("REGENCY_NOT_FOUND", notFound.Reason());

        var invalid = TestData.ValidMerchantDraft();
        invalid.Nib = "12";
        await RpcAssert.ExpectInvalid("merchant.nib", () => Register(invalid, regency: "35.99"));
        await RpcAssert.ExpectInvalid("regency_code", () => Register(TestData.ValidMerchantDraft(), regency: ""));
    }

    [Fact]
    public async Task Nib_is_unique_per_regency()
    {
        var first = TestData.ValidMerchantDraft();
        await Register(first);

        var again = TestData.ValidMerchantDraft();
        again.Nib = first.Nib;
        var status = await RpcAssert.Expect(StatusCode.AlreadyExists, () => Register(again));
        Assert.Equal("NIB_ALREADY_REGISTERED", status.Reason());

        var inTuban = TestData.ValidMerchantDraft(kecamatanCode: "35.23.01");
        inTuban.Nib = first.Nib;
        var registered = (await Register(inTuban, regency: "35.23")).Merchant;
        Assert.Equal(first.Nib, registered.Nib);
    }

    [Fact]
    public async Task Qris_nmid_is_unique()
    {
        var first = TestData.ValidMerchantDraft();
        await Register(first);
        var again = TestData.ValidMerchantDraft();
        again.QrisNmid = first.QrisNmid;

        var status = await RpcAssert.Expect(StatusCode.AlreadyExists, () => Register(again));

        Assert.Equal("QRIS_NMID_ALREADY_REGISTERED", status.Reason());
        var list = await _client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency });
        Assert.Single(list.Merchants);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_nib_register_exactly_one()
    {
        var nib = TestData.Nib();
        var attempts = Enumerable.Range(0, 16).Select(async _ =>
        {
            var draft = TestData.ValidMerchantDraft();
            draft.Nib = nib;
            try
            {
                await Register(draft);
                return StatusCode.OK;
            }
            catch (RpcException ex)
            {
                return ex.StatusCode;
            }
        });

        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(1, outcomes.Count(o => o == StatusCode.OK));
        Assert.Equal(15, outcomes.Count(o => o == StatusCode.AlreadyExists));
    }

    [Fact]
    public async Task Get_of_unknown_or_other_regencys_merchant_is_not_found()
    {
        var merchant = (await Register(TestData.ValidMerchantDraft())).Merchant;

        var unknown = await RpcAssert.Expect(StatusCode.NotFound, () => _client.GetMerchantAsync(
            new GetMerchantRequest { RegencyCode = TestData.Regency, MerchantId = "0123456789abcdef0123456789abcdef" }).ResponseAsync);
        Assert.Equal("MERCHANT_NOT_FOUND", unknown.Reason());

        var otherRegency = await RpcAssert.Expect(StatusCode.NotFound, () => _client.GetMerchantAsync(
            new GetMerchantRequest { RegencyCode = "35.23", MerchantId = merchant.MerchantId }).ResponseAsync);
        Assert.Equal("MERCHANT_NOT_FOUND", otherRegency.Reason());

        await RpcAssert.ExpectInvalid("merchant_id", () => _client.GetMerchantAsync(
            new GetMerchantRequest { RegencyCode = TestData.Regency }).ResponseAsync);
        var noRegency = await RpcAssert.Expect(StatusCode.NotFound, () => _client.GetMerchantAsync(
            new GetMerchantRequest { RegencyCode = "35.99", MerchantId = merchant.MerchantId }).ResponseAsync);
        Assert.Equal("REGENCY_NOT_FOUND", noRegency.Reason());
    }

    [Fact]
    public async Task Owner_nik_is_never_returned_nor_logged()
    {
        var logged = new ConcurrentQueue<string>();
        using var factory = _hub.WithWebHostBuilder(builder => builder.ConfigureLogging(logging =>
            logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new CapturingLoggerProvider(logged))));
        using var channel = HubFactory.AdminChannelFor(factory);
        var client = new MerchantService.MerchantServiceClient(channel);
        var draft = TestData.ValidMerchantDraft();
        var nik = TestData.Nik(new DateOnly(1979, 8, 17), woman: true, serial: 4321);
        draft.OwnerNik = nik;

        var answers = new List<IMessage>();
        var registered = await client.RegisterMerchantAsync(new RegisterMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = TestData.Regency, Merchant = draft,
        });
        answers.Add(registered);
        var id = registered.Merchant.MerchantId;
        answers.Add(await client.GetMerchantAsync(new GetMerchantRequest { RegencyCode = TestData.Regency, MerchantId = id }));
        answers.Add(await client.ListMerchantsAsync(new ListMerchantsRequest { RegencyCode = TestData.Regency }));
        answers.Add(await client.UpdateMerchantAsync(new UpdateMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = TestData.Regency, MerchantId = id,
            Merchant = new MerchantDraft { OwnerNik = nik }, UpdateMask = new() { Paths = { "owner_nik" } },
        }));
        answers.Add(await client.VerifyMerchantAsync(new VerifyMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = TestData.Regency, MerchantId = id, Reason = "checked",
        }));
        answers.Add(await client.SearchNearbyMerchantsAsync(new SearchNearbyMerchantsRequest
        {
            RegencyCode = TestData.Regency, KecamatanCode = TestData.KecamatanBojonegoro,
        }));
        var duplicate = draft.Clone();
        duplicate.Name = "Another name";
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.RegisterMerchantAsync(new RegisterMerchantRequest
        {
            RequestId = TestData.RequestId(), RegencyCode = TestData.Regency, Merchant = duplicate,
        }).ResponseAsync);

        foreach (var answer in answers)
        {
            Assert.DoesNotContain(nik, Encoding.UTF8.GetString(answer.ToByteArray()));
            Assert.DoesNotContain(nik, JsonFormatter.Default.Format(answer));
        }
        Assert.DoesNotContain(nik, refused.Status.Detail);
        Assert.True(((GetMerchantResponse)answers[1]).Merchant.HasOwnerNik);
        Assert.NotEmpty(logged);
        Assert.DoesNotContain(logged, line => line.Contains(nik, StringComparison.Ordinal));
    }

    private async Task<List<Domain.Merchants.MerchantStatusChange>> StatusHistory(string merchantId)
    {
        await using var scope = _hub.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HubDbContext>();
        return await db.MerchantStatusChanges.AsNoTracking().Where(c => c.MerchantId == merchantId).OrderBy(c => c.Id).ToListAsync();
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
