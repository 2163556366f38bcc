using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace EBakul.Client.Tests;

/// <summary>
/// <c>dotnet pack</c> of the built client project gives the package a caller installs: the library with its XML
/// documentation, the README shown on the package page, and the dependencies it needs at run time.
/// </summary>
public sealed class PackageTests
{
    [Fact]
    public async Task Pack_makes_a_package_with_the_library_its_documentation_and_readme()
    {
        var repository = RepositoryRoot();
        var output = Path.Combine(Path.GetTempPath(), "ebakul-client-pack", Guid.NewGuid().ToString("N"));
        try
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}",
                StringComparison.Ordinal) ? "Release" : "Debug";
            var pack = Process.Start(new ProcessStartInfo("dotnet",
                ["pack", Path.Combine(repository, "clients", "dotnet", "EBakul.Client", "EBakul.Client.csproj"),
                 "--configuration", configuration, "--no-build", "--output", output, "--nologo"])
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
            Assert.Contains("lib/net10.0/EBakul.Client.dll", entries);
            Assert.Contains("lib/net10.0/EBakul.Client.xml", entries);

            var nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            await using var nuspecStream = nuspecEntry.Open();
            var nuspec = XDocument.Load(nuspecStream);
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal("EBakul.Client", metadata.Element(ns + "id")!.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
            var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToList();
            Assert.Contains("Grpc.Net.ClientFactory", dependencies);
            Assert.Contains("Google.Protobuf", dependencies);
            Assert.DoesNotContain("Grpc.Tools", dependencies);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "EBakul.sln"))) return folder.FullName;
        throw new InvalidOperationException("EBakul.sln not found above the test's folder");
    }
}
