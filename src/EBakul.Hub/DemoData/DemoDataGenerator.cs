namespace EBakul.Hub.DemoData;

/// <summary>Generates realistic synthetic data for Bojonegoro (placeholder until the generator lands).</summary>
public sealed class DemoDataGenerator
{
    /// <summary>Loads demo data when the database has no merchants.</summary>
    public Task LoadIfEmptyAsync(DemoDataOptions options, CancellationToken cancellationToken) => Task.CompletedTask;
}
