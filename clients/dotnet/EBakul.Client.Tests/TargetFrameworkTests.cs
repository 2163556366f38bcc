using System.Reflection;
using System.Runtime.Versioning;

namespace EBakul.Client.Tests;

/// <summary>
/// The tests build for net8.0 and net10.0, like the client; each run exercises the client built for its own framework
/// (the net8.0 run the net8.0 library, even when it runs on a newer runtime for lack of a .NET 8 one).
/// </summary>
public sealed class TargetFrameworkTests
{
    [Fact]
    public void Each_test_run_uses_the_client_built_for_its_own_framework()
    {
        var tests = typeof(TargetFrameworkTests).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;
        var client = typeof(EBakulClientOptions).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName;
        Assert.Equal(tests, client);
        Assert.Contains(tests, new[] { ".NETCoreApp,Version=v8.0", ".NETCoreApp,Version=v10.0" });
    }
}
