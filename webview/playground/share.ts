/**
 * Share links: a notebook's cell sources (no outputs) as JSON, deflated
 * (`CompressionStream('deflate-raw')`) and base64url-encoded into the URL fragment
 * (`#nb=...`), as TensorFlow Playground keeps its state in the URL. Nothing is sent anywhere:
 * the fragment never reaches a server.
 */

/** The longest fragment a link may carry; beyond it, the page says so and offers the file. */
export const SHARE_LIMIT_BYTES = 8 * 1024;

/** The fragment's key. */
export const SHARE_PREFIX = '#nb=';

/** What a link holds: each cell's kind and source, in order. */
export interface SharedCell {
  kind: 'code' | 'markdown';
  source: string;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream) {
  const out = new Response(
    new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream),
  );
  return new Uint8Array(await out.arrayBuffer());
}

function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unbase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('the link is damaged (not base64url)');
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/**
 * The fragment for these cells, or an error message when it would pass SHARE_LIMIT_BYTES
 * (with the size, so the user knows how far off it is).
 */
export async function shareFragment(
  cells: readonly SharedCell[],
): Promise<{ fragment: string } | { error: string }> {
  const json = JSON.stringify({
    v: 1,
    cells: cells.map((c) => [c.kind === 'code' ? 'c' : 'm', c.source]),
  });
  const packed = await pipe(new TextEncoder().encode(json), new CompressionStream('deflate-raw'));
  const fragment = `${SHARE_PREFIX}${base64url(packed)}`;
  if (fragment.length > SHARE_LIMIT_BYTES)
    return {
      error: `This notebook is too large for a link: ${(fragment.length / 1024).toFixed(1)} KB compressed, the limit is ${SHARE_LIMIT_BYTES / 1024} KB. Save it as a .rnnlab file and share the file instead.`,
    };
  return { fragment };
}

/** The cells of a share fragment (`#nb=...`); throws an Error saying what is wrong with it. */
export async function readShareFragment(fragment: string): Promise<SharedCell[]> {
  if (!fragment.startsWith(SHARE_PREFIX)) throw new Error('not a notebook link');
  const body = fragment.slice(SHARE_PREFIX.length);
  if (body.length > SHARE_LIMIT_BYTES)
    throw new Error('the link is longer than a share link can be');
  let json: unknown;
  try {
    const bytes = await pipe(unbase64url(body), new DecompressionStream('deflate-raw'));
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`the link is damaged (${(e as Error).message})`, { cause: e });
  }
  const cells = (json as { v?: unknown; cells?: unknown }).cells;
  if ((json as { v?: unknown }).v !== 1 || !Array.isArray(cells))
    throw new Error('the link is not a notebook of this version of RNN Lab');
  return cells.map((c, i) => {
    if (!Array.isArray(c) || (c[0] !== 'c' && c[0] !== 'm') || typeof c[1] !== 'string')
      throw new Error(`the link's cell ${i + 1} is damaged`);
    return { kind: c[0] === 'c' ? 'code' : 'markdown', source: c[1] };
  });
}
