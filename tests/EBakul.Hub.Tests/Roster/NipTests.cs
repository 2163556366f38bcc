using EBakul.Hub.Domain.Roster;
using EBakul.Hub.Tests.Infrastructure;

namespace EBakul.Hub.Tests.Roster;

public sealed class NipTests
{
    [Fact]
    public void A_valid_nip_exposes_its_parts()
    {
        Assert.True(Nip.TryParse("198503152010011002", out var nip, out var problem), problem);

        Assert.Equal(new DateOnly(1985, 3, 15), nip.BirthDate);
        Assert.Equal(2010, nip.AppointmentYear);
        Assert.Equal(1, nip.AppointmentMonth);
        Assert.Equal(NipGender.Male, nip.Gender);
        Assert.Equal(2, nip.Serial);
        Assert.Equal("198503152010011002", nip.ToString());
        Assert.Equal(NipGender.Female, Nip.Parse("199012312019122999").Gender);
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("19850315201001100", "exactly 18 digits")]
    [InlineData("1985031520100110021", "exactly 18 digits")]
    [InlineData("19850315 010011002", "digits only")]
    [InlineData("１９８５０３１５２０１００１１００２", "digits only")]
    [InlineData("198502302010011002", "birth date (digits 1-8) 19850230")]
    [InlineData("198513012010011002", "birth date")]
    [InlineData("185003152010011002", "birth date")]
    [InlineData("198503152010001002", "appointment month (digits 9-14) 201000")]
    [InlineData("198503152010131002", "appointment month")]
    [InlineData("198503151985031002", "not after the birth month")]
    [InlineData("198503151984121002", "not after the birth month")]
    [InlineData("198503152010013002", "gender digit (digit 15)")]
    [InlineData("198503152010010002", "gender digit")]
    [InlineData("198503152010011000", "serial (digits 16-18)")]
    public void An_invalid_nip_says_which_part_is_wrong(string text, string expected)
    {
        Assert.False(Nip.TryParse(text, out var nip, out var problem));
        Assert.Null(nip);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void The_test_builder_makes_distinct_valid_nips()
    {
        var nips = Enumerable.Range(0, 5000).Select(i => RosterTestData.Nip(i)).ToList();
        Assert.All(nips, n => Assert.True(Nip.TryParse(n, out _, out var problem), problem));
        Assert.Equal(nips.Count, nips.Distinct().Count());
    }
}
