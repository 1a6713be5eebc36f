/** The emulator's deterministic token count: one token per whitespace-separated word. */
export function countTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Splits text into stream pieces of one word each, keeping the whitespace so the pieces join back exactly. */
export function splitIntoPieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);
}

/** Keeps the first `maxTokens` words of a text. */
export function truncateTokens(text: string, maxTokens: number): string {
  return splitIntoPieces(text).slice(0, maxTokens).join("").trimEnd();
}
