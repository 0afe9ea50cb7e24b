/**
 * A row's content signature, by which the alignment recognises rows (alignment.ts). The same function as
 * identity.ts `contentSignature` (supabase/functions/_shared), copied because the page bundle may import
 * only this folder; signature.test.ts proves the two agree. Saved stream tails hold signatures, so the
 * form must not change.
 */
export function signatureOf(author: string, text: string): string {
  return author + '\u0000' + text;
}
