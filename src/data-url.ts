/** `data:` URLs (inline source maps), decoded: shared by the symbolizer and the capture of in-memory maps. */

/** The text of a `data:` URL, or `null` when it is not one or does not decode. */
export function decodeDataUrl(url: string): string | null {
  const comma = url.indexOf(',');
  if (!url.startsWith('data:') || comma < 0) return null;
  const header = url.slice(5, comma);
  const body = url.slice(comma + 1);
  try {
    return header.split(';').includes('base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
  } catch {
    return null;
  }
}
