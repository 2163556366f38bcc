using System.Net;
using System.Text;
using EBakul.EtppSimulator.Tests.Infrastructure;
using EBakul.Hub.EtppPush;

namespace EBakul.EtppSimulator.Tests;

/// <summary>Each fault the simulator injects, and how the hub's client classifies it.</summary>
public sealed class FaultInjectionTests
{
    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    public async Task A_transient_error_before_applying_is_transient_and_applies_nothing(int status)
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());
        await sim.SetFaultsAsync(new { transient_error_rate = 1.0, transient_error_statuses = new[] { status }, transient_retry_after_seconds = 7 });

        var failure = Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(adjustment));

        Assert.Equal((EtppFailureKind.Unavailable, status, TimeSpan.FromSeconds(7)), (failure.Kind, failure.HttpStatus, failure.RetryAfter));
        var state = await sim.StateAsync(adjustment.Key);
        Assert.Equal((1, 0), (state.Attempts, state.AppliedCount));

        await sim.ClearFaultsAsync();
        Assert.False(Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment)).Duplicate);
    }

    [Fact]
    public async Task A_transient_error_after_applying_is_transient_and_the_retry_is_a_duplicate()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());
        await sim.SetFaultsAsync(new { transient_error_after_apply_rate = 1.0 });

        var failure = Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(adjustment));
        Assert.Equal(EtppFailureKind.Unavailable, failure.Kind);
        Assert.Equal(1, (await sim.StateAsync(adjustment.Key)).AppliedCount);

        await sim.ClearFaultsAsync();
        Assert.True(Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment)).Duplicate);
        Assert.Equal(1, (await sim.StateAsync(adjustment.Key)).AppliedCount);
    }

    [Fact]
    public async Task During_an_outage_e_TPP_answers_503_with_retry_after_until_it_ends()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());
        await sim.SetFaultsAsync(new { down_for_seconds = 3600 });

        var failure = Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(adjustment));

        Assert.Equal((EtppFailureKind.Unavailable, 503), (failure.Kind, failure.HttpStatus));
        Assert.InRange(failure.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3600));
        Assert.Equal(0, (await sim.StateAsync(adjustment.Key)).AppliedCount);

        await sim.ClearFaultsAsync();
        Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment));
    }

    [Fact]
    public async Task An_outage_window_can_reset_connections_and_windows_outside_now_do_nothing()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var now = DateTimeOffset.UtcNow;
        await sim.SetFaultsAsync(new
        {
            outage_mode = "reset",
            outage_windows = new[]
            {
                new { from = now.AddHours(-1), to = now.AddHours(1) },
            },
        });

        var failure = Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(Adjustments.For(Adjustments.NewNip())));
        Assert.Equal(EtppFailureKind.ConnectionFailed, failure.Kind);

        await sim.SetFaultsAsync(new
        {
            outage_windows = new[]
            {
                new { from = now.AddDays(-2), to = now.AddDays(-1) },
                new { from = now.AddDays(1), to = now.AddDays(2) },
            },
        });
        Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(Adjustments.For(Adjustments.NewNip())));
    }

    [Fact]
    public async Task Latency_beyond_the_client_timeout_is_a_transient_timeout()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient(timeout: TimeSpan.FromMilliseconds(300));
        var adjustment = Adjustments.For(Adjustments.NewNip());
        await sim.SetFaultsAsync(new { latency_ms = 20_000, latency_jitter_ms = 1000 });

        var failure = Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(adjustment));
        Assert.Equal(EtppFailureKind.Timeout, failure.Kind);

        await sim.ClearFaultsAsync();
        Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment));
        Assert.Equal(1, (await sim.StateAsync(adjustment.Key)).AppliedCount);
    }

    [Fact]
    public async Task A_timeout_after_applying_loses_the_answer_and_the_retry_is_a_duplicate()
    {
        await using var sim = await RunningSimulator.StartAsync();
        // Long enough for the simulator to reach its apply on a loaded machine (the 20 s wait comes after it): with 300 ms
        // the client sometimes gave up before e-TPP had seen the request at all, and nothing was applied.
        var client = sim.CreateClient(timeout: TimeSpan.FromSeconds(3));
        var adjustment = Adjustments.For(Adjustments.NewNip());
        await sim.SetFaultsAsync(new { latency_ms = 20_000, latency_after_apply = true });

        var failure = Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(adjustment));
        Assert.Equal(EtppFailureKind.Timeout, failure.Kind);
        Assert.Equal(1, (await sim.StateAsync(adjustment.Key)).AppliedCount);

        await sim.ClearFaultsAsync();
        Assert.True(Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment)).Duplicate);
        Assert.Equal(1, (await sim.StateAsync(adjustment.Key)).AppliedCount);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("missing_reference")]
    [InlineData("empty_reference")]
    [InlineData("wrong_key")]
    public async Task A_success_status_with_a_body_that_does_not_validate_is_transient(string kind)
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());
        await sim.SetFaultsAsync(new { malformed_answer_rate = 1.0, malformed_answer_kinds = new[] { kind } });

        var failure = Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(adjustment));
        Assert.Equal((EtppFailureKind.MalformedAnswer, 200), (failure.Kind, failure.HttpStatus));

        // It was applied all the same; asking again gets the real answer.
        await sim.ClearFaultsAsync();
        var retry = Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment));
        var state = await sim.StateAsync(adjustment.Key);
        Assert.True(retry.Duplicate);
        Assert.Equal((2, 1, state.EtppReference), (state.Attempts, state.AppliedCount, retry.EtppReference));
    }

    [Fact]
    public async Task A_connection_reset_before_applying_is_transient_and_applies_nothing()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());
        await sim.SetFaultsAsync(new { reset_before_apply_rate = 1.0 });

        var failure = Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(adjustment));
        Assert.Equal((EtppFailureKind.ConnectionFailed, null), (failure.Kind, failure.HttpStatus));
        Assert.Equal(0, (await sim.StateAsync(adjustment.Key)).AppliedCount);

        await sim.ClearFaultsAsync();
        Assert.False(Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment)).Duplicate);
    }

    [Fact]
    public async Task Applied_but_the_answer_lost_is_transient_and_the_retry_is_a_duplicate_applied_once()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        var adjustment = Adjustments.For(Adjustments.NewNip());
        await sim.SetFaultsAsync(new { reset_after_apply_rate = 1.0 });

        var failure = Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(adjustment));
        Assert.Equal(EtppFailureKind.ConnectionFailed, failure.Kind);
        var afterLoss = await sim.StateAsync(adjustment.Key);
        Assert.Equal(1, afterLoss.AppliedCount);

        await sim.ClearFaultsAsync();
        var retry = Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(adjustment));

        Assert.True(retry.Duplicate);
        Assert.Equal(afterLoss.EtppReference, retry.EtppReference);
        var state = await sim.StateAsync(adjustment.Key);
        Assert.Equal((2, 1), (state.Attempts, state.AppliedCount));
    }

    [Fact]
    public async Task Faults_are_read_and_replaced_at_run_time_and_invalid_ones_are_refused()
    {
        await using var sim = await RunningSimulator.StartAsync(("Faults:TransientErrorRate", "1"));
        var client = sim.CreateClient();
        Assert.IsType<EtppPushResult.TransientFailure>(await client.PushAsync(Adjustments.For(Adjustments.NewNip())));

        await sim.SetFaultsAsync(new { seed = 5, latency_ms = 1, malformed_answer_kinds = new[] { "garbage" } });
        var faults = await sim.Control.GetStringAsync("_sim/faults");
        Assert.Contains("\"transient_error_rate\":0", faults);
        Assert.Contains("\"seed\":5", faults);
        Assert.Contains("\"malformed_answer_kinds\":[\"garbage\"]", faults);
        Assert.IsType<EtppPushResult.Applied>(await client.PushAsync(Adjustments.For(Adjustments.NewNip())));

        foreach (var invalid in new[] { """{"transient_error_rate":1.5}""", """{"transient_eror_rate":1}""", """{"outage_mode":"sometimes"}""", "not json" })
        {
            using var response = await sim.Control.PutAsync("_sim/faults", new StringContent(invalid, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        Assert.Equal(faults, await sim.Control.GetStringAsync("_sim/faults"));
    }

    [Fact]
    public async Task Mixed_random_faults_never_apply_an_adjustment_twice()
    {
        await using var sim = await RunningSimulator.StartAsync();
        var client = sim.CreateClient();
        await sim.SetFaultsAsync(new
        {
            seed = 35,
            transient_error_rate = 0.15,
            transient_error_after_apply_rate = 0.15,
            reset_before_apply_rate = 0.15,
            reset_after_apply_rate = 0.15,
            malformed_answer_rate = 0.15,
        });
        var adjustments = Enumerable.Range(0, 25).Select(_ => Adjustments.For(Adjustments.NewNip())).ToList();

        var references = new Dictionary<string, string>();
        foreach (var adjustment in adjustments)
        {
            for (var attempt = 1; ; attempt++)
            {
                Assert.True(attempt <= 100, $"{adjustment.Key} was never applied");
                var result = await client.PushAsync(adjustment);
                Assert.IsNotType<EtppPushResult.PermanentRejection>(result);
                if (result is EtppPushResult.Applied applied)
                {
                    references[adjustment.Key] = applied.EtppReference;
                    break;
                }
            }
        }

        var listing = await sim.ListAsync();
        Assert.Equal(25, listing.AppliedKeys);
        Assert.All(listing.Adjustments, s => Assert.Equal(1, s.AppliedCount));
        Assert.All(listing.Adjustments, s => Assert.Equal(references[s.Key], s.EtppReference));
        Assert.True(listing.Attempts > 25, "the faults should have caused some retries");
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_faults()
    {
        async Task<List<string>> RunAsync()
        {
            await using var sim = await RunningSimulator.StartAsync();
            var client = sim.CreateClient();
            await sim.SetFaultsAsync(new { seed = 42, transient_error_rate = 0.5, transient_error_statuses = new[] { 500, 502, 503 } });
            var outcomes = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                outcomes.Add(await client.PushAsync(Adjustments.Revision($"198503152010011{i:D3}", 1)) switch
                {
                    EtppPushResult.Applied => "applied",
                    EtppPushResult.TransientFailure f => f.HttpStatus.ToString()!,
                    var other => other.ToString(),
                });
            }
            return outcomes;
        }

        var first = await RunAsync();
        Assert.Equal(first, await RunAsync());
        Assert.Contains("applied", first);
        Assert.Contains(first, o => o != "applied");
    }
}
