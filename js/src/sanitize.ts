/**
 * URL checks for `href` and `src`, and character references in Markdown text. Values are set
 * with setAttribute or textContent (never parsed as HTML), so only the scheme matters. Browsers
 * ignore ASCII whitespace and control characters inside a scheme ("java\tscript:"), so those are
 * removed before the check.
 */

const CONTROL = /[\u0000-\u0020\u007f-\u009f]/g;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

function normalize(url: unknown): string | null {
  if (typeof url !== "string") return null;
  const trimmed = url.trim();
  if (trimmed === "") return null;
  return trimmed;
}

function schemeOf(url: string): string | null {
  const m = SCHEME.exec(url.replace(CONTROL, ""));
  return m ? m[1].toLowerCase() : null;
}

/** `href` for links: http, https, mailto, `#...` and relative URLs; anything else is null. */
export function safeHref(url: unknown): string | null {
  const u = normalize(url);
  if (u === null) return null;
  const scheme = schemeOf(u);
  if (scheme === null) return u.replace(CONTROL, (c) => encodeURIComponent(c));
  return scheme === "http" || scheme === "https" || scheme === "mailto" ? u : null;
}

const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp|avif|bmp|x-icon|svg\+xml)[;,]/i;

/** `src` for images: http, https, relative, and `data:image/...`; anything else is null. */
export function safeSrc(url: unknown): string | null {
  const u = normalize(url);
  if (u === null) return null;
  const scheme = schemeOf(u);
  if (scheme === null) return u;
  if (scheme === "http" || scheme === "https") return u;
  if (scheme === "data" && DATA_IMAGE.test(u.replace(CONTROL, ""))) return u;
  return null;
}

/** Keeps only characters that are safe inside a CSS class name suffix. */
export function classToken(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const t = v.trim().toLowerCase();
  return /^[a-z0-9_-]{1,32}$/.test(t) ? t : null;
}

// Markdown text from marked keeps character references for an HTML renderer (and writes a bare
// `&` as `&amp;` once it has decoded a numeric one); text nodes and attributes need them decoded.
// Numeric references and the common names are; other names stay as written.
const CHAR_REF = /&(?:#(\d{1,7})|#[xX]([\da-fA-F]{1,6})|([a-zA-Z]{2,6}));/g;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** Decodes character references (`&amp;`, `&#65;`, `&#x41;`) in text that is not HTML. */
export function decodeCharRefs(s: string): string {
  return s.replace(CHAR_REF, (m, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return Object.prototype.hasOwnProperty.call(NAMED, name) ? NAMED[name] : m;
    const cp = dec !== undefined ? parseInt(dec, 10) : parseInt(hex ?? "", 16);
    return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : "\ufffd";
  });
}
