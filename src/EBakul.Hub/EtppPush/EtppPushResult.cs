namespace EBakul.Hub.EtppPush;

/// <summary>
/// What one attempt to push an adjustment into e-TPP came to, classified by docs/etpp-push-contract.md:
/// <see cref="Applied"/> (done), <see cref="PermanentRejection"/> (sending it again cannot help; a person must
/// look) or <see cref="TransientFailure"/> (unknown or not now; send the same adjustment again later).
/// </summary>
public abstract record EtppPushResult
{
    private EtppPushResult()
    {
    }

    /// <summary>e-TPP applied the adjustment, now (201) or on an earlier attempt (200).</summary>
    /// <param name="EtppReference">e-TPP's reference for the application; the same on every attempt.</param>
    /// <param name="AppliedAt">When e-TPP applied it.</param>
    /// <param name="Duplicate">True when it had been applied by an earlier attempt (200), false when applied now (201).</param>
    public sealed record Applied(string EtppReference, DateTimeOffset AppliedAt, bool Duplicate) : EtppPushResult;

    /// <summary>e-TPP refused the adjustment for good (400, 409 or 422).</summary>
    /// <param name="HttpStatus">The status: 400 malformed request, 409 key reused with another payload, 422 refused on business grounds.</param>
    /// <param name="Code">e-TPP's error code (e.g. <c>NIP_UNKNOWN</c>), or <c>HTTP_{status}</c> when the body carried none.</param>
    /// <param name="Message">e-TPP's explanation, for the people who resolve it.</param>
    public sealed record PermanentRejection(int HttpStatus, string Code, string Message) : EtppPushResult;

    /// <summary>No trustworthy answer: the adjustment may or may not have been applied; send it again (same key).</summary>
    /// <param name="Kind">What went wrong.</param>
    /// <param name="Reason">Details for logs.</param>
    /// <param name="RetryAfter">How long e-TPP asked us to wait (<c>Retry-After</c>), if it did.</param>
    /// <param name="HttpStatus">The status answered, when there was an answer.</param>
    public sealed record TransientFailure(EtppFailureKind Kind, string Reason, TimeSpan? RetryAfter, int? HttpStatus) : EtppPushResult;
}

/// <summary>Why an attempt got no trustworthy answer.</summary>
public enum EtppFailureKind
{
    /// <summary>No answer within the timeout.</summary>
    Timeout,

    /// <summary>The connection could not be made, or broke before the whole answer arrived.</summary>
    ConnectionFailed,

    /// <summary>e-TPP or something in front of it said it cannot answer now (408, 429, 500, 502, 503, 504).</summary>
    Unavailable,

    /// <summary>A status the contract does not define for this request.</summary>
    UnexpectedStatus,

    /// <summary>A success status whose body does not validate.</summary>
    MalformedAnswer,
}
