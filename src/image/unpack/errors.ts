// The one error the unpack steps throw for a bad member; index.ts turns it into an ImageError naming the member.

/** Something wrong with one tar member (the message says what, without the member's name). */
export class MemberError extends Error {
  override name = 'MemberError'
}
