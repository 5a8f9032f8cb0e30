using Bcd.Meetings.Domain;
using Bcd.Meetings.Storage;
using Bcd.Projections.Membership;
using Bcd.ServiceDefaults.Errors;
using Bcd.ServiceDefaults.Identity;

namespace Bcd.Meetings.Grpc;

/// <summary>
/// GET /api/v1/committees/{committee_id}/calendar.ics: the caller's meetings as RFC 5545 text.
/// A plain HTTP resource beside the gRPC service, because calendar clients fetch feeds that way.
/// </summary>
public static class CalendarEndpoint
{
    public const string Path = "/api/v1/committees/{committee_id}/calendar.ics";

    // Meetings that started more than this long ago are left out of the feed.
    private static readonly TimeSpan History = TimeSpan.FromDays(366);

    public static WebApplication MapMeetingCalendar(this WebApplication app)
    {
        app.MapGet(Path, async (string committee_id, HttpContext http, MeetingsRepository repository, IMembershipView membership, TimeProvider time) =>
        {
            var caller = Caller.FromPrincipal(http.User);
            var view = await membership.RequireCommitteeAsync(caller, committee_id, http.RequestAborted);
            var now = time.GetUtcNow();
            var meetings = await repository.LoadMeetingsAsync(committee_id, now - History);
            return Results.Text(MeetingCalendar.Build(caller.PersonId, meetings, view, now), "text/calendar; charset=utf-8");
        }).RequireAuthorization().AddEndpointFilter<DomainErrorEndpointFilter>();
        return app;
    }
}
