/**
 * Refusals shared by every event store adapter, beside WrongExpectedRevisionError from the port.
 *
 * It lives here rather than in the port only because the port file is owned elsewhere; the application may want to
 * recognise it (it means "this event was already recorded somewhere else"), so it is a candidate to move there.
 */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(
    readonly eventId: string,
    /** The stream the refused append targeted. */
    readonly streamId: string,
    /** Where the id is already stored, when the adapter knows (the same stream for a partial replay or a repeat
     *  within one append). */
    readonly storedInStream: string | undefined,
  ) {
    super(
      storedInStream === undefined || storedInStream === streamId
        ? `Event id ${eventId} is already stored in stream ${streamId} and the append is not an exact replay`
        : `Event id ${eventId} is already stored in stream ${storedInStream}; it cannot be appended to ${streamId}`,
    );
  }
}
