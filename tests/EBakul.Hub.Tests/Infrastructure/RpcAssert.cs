using Google.Rpc;
using Grpc.Core;

namespace EBakul.Hub.Tests.Infrastructure;

/// <summary>Assertions on the hub's rich error statuses.</summary>
public static class RpcAssert
{
    /// <summary>Awaits a call that must fail with <paramref name="code"/>; returns the decoded status.</summary>
    public static async Task<Google.Rpc.Status> Expect(StatusCode code, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(code == ex.StatusCode, $"expected {code}, got {ex.StatusCode}: {ex.Status.Detail}");
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        return status!;
    }

    /// <summary>The ErrorInfo reason of a status.</summary>
    public static string Reason(this Google.Rpc.Status status) => status.GetDetail<ErrorInfo>()?.Reason ?? "";

    /// <summary>The fields named in the BadRequest of a status.</summary>
    public static IReadOnlyList<string> Fields(this Google.Rpc.Status status) =>
        status.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToList() ?? [];

    /// <summary>Awaits INVALID_ARGUMENT and asserts that <paramref name="field"/> is among the violations.</summary>
    public static async Task<Google.Rpc.Status> ExpectInvalid(string field, Func<Task> call)
    {
        var status = await Expect(StatusCode.InvalidArgument, call);
        Assert.Contains(field, status.Fields());
        return status;
    }
}
