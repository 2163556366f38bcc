using System.Diagnostics.CodeAnalysis;
using EBakul.Hub.Errors;

namespace EBakul.Hub.Domain.Roster;

/// <summary>The gender digit of an NIP.</summary>
public enum NipGender
{
    /// <summary>Digit 1: male.</summary>
    Male = 1,
    /// <summary>Digit 2: female.</summary>
    Female = 2,
}

/// <summary>
/// A civil servant's NIP (Nomor Induk Pegawai): 18 digits that spell
/// <c>YYYYMMDD</c> birth date, <c>YYYYMM</c> appointment month, one gender digit (1 male, 2 female)
/// and a 3-digit serial that is not <c>000</c>. For example <c>198503152010011002</c>: born
/// 15 March 1985, appointed January 2010, male, serial 002.
/// </summary>
public sealed record Nip
{
    /// <summary>Number of digits.</summary>
    public const int Length = 18;

    /// <summary>The reason of every NIP failure.</summary>
    public const string InvalidReason = "NIP_INVALID";

    /// <summary>Earliest birth year accepted.</summary>
    private const int EarliestYear = 1900;

    private Nip(string value, DateOnly birthDate, int appointmentYear, int appointmentMonth, NipGender gender, int serial)
    {
        Value = value;
        BirthDate = birthDate;
        AppointmentYear = appointmentYear;
        AppointmentMonth = appointmentMonth;
        Gender = gender;
        Serial = serial;
    }

    /// <summary>The 18 digits.</summary>
    public string Value { get; }

    /// <summary>Digits 1-8: the birth date.</summary>
    public DateOnly BirthDate { get; }

    /// <summary>Digits 9-12: the year of appointment (TMT CPNS/PPPK).</summary>
    public int AppointmentYear { get; }

    /// <summary>Digits 13-14: the month of appointment, 1-12.</summary>
    public int AppointmentMonth { get; }

    /// <summary>Digit 15: the gender.</summary>
    public NipGender Gender { get; }

    /// <summary>Digits 16-18: the serial among those born and appointed alike, 1-999.</summary>
    public int Serial { get; }

    /// <summary>Parses an NIP; throws INVALID_ARGUMENT (<c>NIP_INVALID</c>) on <paramref name="field"/> when it is not one.</summary>
    public static Nip Parse(string? text, string field = "nip") =>
        TryParse(text, out var nip, out var problem)
            ? nip
            : throw HubException.InvalidField(field, InvalidReason, problem);

    /// <summary>
    /// Parses an NIP. On failure <paramref name="problem"/> says which part is wrong, e.g.
    /// "birth date (digits 1-8) 19850230 is not a real date".
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Nip? nip, out string problem)
    {
        nip = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = "is required: 18 digits";
            return false;
        }
        if (text.Length != Length)
        {
            problem = $"must be exactly {Length} digits, got {text.Length} characters";
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                problem = "must be digits only (0-9)";
                return false;
            }
        }

        var birthYear = Number(text, 0, 4);
        var birthMonth = Number(text, 4, 2);
        var birthDay = Number(text, 6, 2);
        if (birthYear < EarliestYear || birthMonth is < 1 or > 12 || birthDay < 1 || birthDay > DateTime.DaysInMonth(birthYear, birthMonth))
        {
            problem = $"birth date (digits 1-8) {text[..8]} is not a real date YYYYMMDD" +
                      (birthYear < EarliestYear ? $" from {EarliestYear} on" : "");
            return false;
        }

        var appointmentYear = Number(text, 8, 4);
        var appointmentMonth = Number(text, 12, 2);
        if (appointmentMonth is < 1 or > 12)
        {
            problem = $"appointment month (digits 9-14) {text[8..14]} has no month {text[12..14]}";
            return false;
        }
        if (appointmentYear * 12 + appointmentMonth <= birthYear * 12 + birthMonth)
        {
            problem = $"appointment month (digits 9-14) {text[8..14]} is not after the birth month {text[..6]}";
            return false;
        }

        var gender = text[14] - '0';
        if (gender is not (1 or 2))
        {
            problem = $"gender digit (digit 15) must be 1 or 2, got {text[14]}";
            return false;
        }

        var serial = Number(text, 15, 3);
        if (serial == 0)
        {
            problem = "serial (digits 16-18) must not be 000";
            return false;
        }

        nip = new Nip(text, new DateOnly(birthYear, birthMonth, birthDay), appointmentYear, appointmentMonth, (NipGender)gender, serial);
        problem = "";
        return true;
    }

    /// <summary>Adds a <c>NIP_INVALID</c> violation on <paramref name="field"/> unless <paramref name="text"/> is an NIP.</summary>
    public static bool Check(string? text, FieldChecks checks, string field = "nip") =>
        TryParse(text, out _, out var problem) || checks.Check(false, field, InvalidReason, problem);

    /// <summary>The 18 digits.</summary>
    public override string ToString() => Value;

    private static int Number(string text, int start, int length)
    {
        var value = 0;
        for (var i = start; i < start + length; i++) value = value * 10 + (text[i] - '0');
        return value;
    }
}
