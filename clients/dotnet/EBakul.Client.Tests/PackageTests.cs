using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace EBakul.Client.Tests;

/// <summary>
/// <c>dotnet pack</c> of the built client project gives the package a caller installs: the library for .NET 8 (LTS)
/// and .NET 10 with its XML documentation, the README shown on the package page, and the dependencies it needs at
/// run time for each framework.
/// </summary>
public sealed class PackageTests
{
    [Fact]
    public async Task Pack_makes_a_package_with_the_library_for_net8_and_net10_its_documentation_and_readme()
    {
        var repository = RepositoryRoot();
        var output = Path.Combine(Path.GetTempPath(), "ebakul-client-pack", Guid.NewGuid().ToString("N"));
        try
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}",
                StringComparison.Ordinal) ? "Release" : "Debug";
            var pack = Process.Start(new ProcessStartInfo("dotnet",
                ["pack", Path.Combine(repository, "clients", "dotnet", "EBakul.Client", "EBakul.Client.csproj"),
                 "--configuration", configuration, "--no-build", "--output", output, "--nologo",
                 // The .nuspec is written under output, not obj/: the net8.0 and net10.0 test runs may pack at once.
                 $"-p:NuspecOutputPath={Path.Combine(output, "nuspec")}{Path.DirectorySeparatorChar}"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            var log = await pack.StandardOutput.ReadToEndAsync() + await pack.StandardError.ReadToEndAsync();
            await pack.WaitForExitAsync();
            Assert.True(pack.ExitCode == 0, log);

            var package = Assert.Single(Directory.GetFiles(output, "EBakul.Client.*.nupkg"));
            using var zip = ZipFile.OpenRead(package);
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("README.md", entries);
            foreach (var framework in Frameworks)
            {
                Assert.Contains($"lib/{framework}/EBakul.Client.dll", entries);
                Assert.Contains($"lib/{framework}/EBakul.Client.xml", entries);
            }
            Assert.Equal(Frameworks, entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).Select(e => e.Split('/')[1]).Distinct().Order());

            var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            await using var nuspecStream = nuspecEntry.Open();
            var nuspec = XDocument.Load(nuspecStream);
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal("EBakul.Client", metadata.Element(ns + "id")!.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
            var groups = metadata.Descendants(ns + "group").ToDictionary(g => g.Attribute("targetFramework")!.Value,
                g => g.Elements(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value));
            Assert.Equal(Frameworks, groups.Keys.Order());
            foreach (var (framework, dependencies) in groups)
            {
                Assert.Contains("Grpc.Net.ClientFactory", dependencies.Keys);
                Assert.Contains("Google.Protobuf", dependencies.Keys);
                Assert.DoesNotContain("Grpc.Tools", dependencies.Keys);
                // Only what the client references itself: the repository's pins of Microsoft.Extensions.* 10.0.x
                // would pull .NET 10 libraries into a .NET 8 program.
                Assert.DoesNotContain(dependencies.Keys, id => id.StartsWith("Microsoft.", StringComparison.Ordinal));
            }
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>The frameworks the package carries a library for, in order.</summary>
    private static readonly string[] Frameworks = ["net10.0", "net8.0"];

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "EBakul.sln"))) return folder.FullName;
        throw new InvalidOperationException("EBakul.sln not found above the test's folder");
    }
}
