/**
 * Tool-call ids move between engines, so every adapter applies the same rule:
 *
 * - from the wire: an id already starting with `call_` is kept; any other id gets the `call_` prefix
 *   (`toolu_01A` -> `call_toolu_01A`);
 * - to the wire: the neutral id is sent as is, with characters outside `[A-Za-z0-9_-]` replaced by `_`
 *   (Anthropic's id pattern, accepted by every provider), cut to 64 characters.
 *
 * Both the assistant's tool call and the matching tool result go through `toWireToolCallId`, so the
 * pair stays linked on every engine; the original provider id stays recoverable with
 * `fromNeutralToolCallId`.
 */
export function toNeutralToolCallId(wireId: string): string {
  return wireId.startsWith('call_') ? wireId : `call_${wireId}`;
}

/** The id to send to a provider for a neutral tool-call id: characters outside `[A-Za-z0-9_-]` become `_`, cut to 64. */
export function toWireToolCallId(neutralId: string): string {
  return neutralId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/** The provider id a neutral id was made from (strips the prefix `toNeutralToolCallId` added). */
export function fromNeutralToolCallId(neutralId: string, providerPrefix: string): string {
  const stripped = neutralId.startsWith('call_') ? neutralId.slice(5) : neutralId;
  return stripped.startsWith(providerPrefix) ? stripped : neutralId;
}
