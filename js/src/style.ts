/** Style values: how prop values map to CSS. */

/** CSS properties that take plain numbers (React's list, trimmed to what matters here). */
const UNITLESS = new Set([
  "animation-iteration-count", "aspect-ratio", "column-count", "columns", "flex", "flex-grow",
  "flex-shrink", "font-weight", "grid-area", "grid-column", "grid-column-end", "grid-column-start",
  "grid-row", "grid-row-end", "grid-row-start", "line-clamp", "line-height", "opacity", "order",
  "orphans", "scale", "tab-size", "widows", "z-index", "zoom", "fill-opacity", "stroke-opacity",
  "stroke-width",
]);

function kebab(prop: string): string {
  if (prop.startsWith("--")) return prop;
  return prop.replace(/_/g, "-").replace(/[A-Z]/g, (m) => "-" + m.toLowerCase());
}

/** Sets one style property; null, undefined, false and "" remove it. Numbers get px where CSS needs a unit. */
export function setStyle(el: HTMLElement, prop: string, value: unknown): void {
  const name = kebab(prop);
  if (value === null || value === undefined || value === false || value === "") {
    el.style.removeProperty(name);
    return;
  }
  let css: string;
  if (typeof value === "number") css = UNITLESS.has(name) || value === 0 ? String(value) : `${value}px`;
  else css = String(value);
  if (el.style.getPropertyValue(name) !== css) el.style.setProperty(name, css);
}

const SPACE_SCALE: Record<string, string> = {
  "0": "0",
  "1": "0.25rem",
  "2": "0.5rem",
  "3": "0.75rem",
  "4": "1rem",
  "5": "1.5rem",
  "6": "2rem",
  "7": "2.5rem",
  "8": "3rem",
  "9": "4rem",
};

/** `spacing`: Radix-style scale tokens "0".."9", plain numbers as px, or any CSS length. */
export function cssSpace(v: unknown): string | null {
  if (v === null || v === undefined || v === false || v === "") return null;
  const s = String(v).trim();
  if (Object.prototype.hasOwnProperty.call(SPACE_SCALE, s)) return SPACE_SCALE[s];
  if (typeof v === "number") return `${v}px`;
  return s;
}

const ALIGN: Record<string, string> = {
  start: "flex-start",
  end: "flex-end",
  center: "center",
  stretch: "stretch",
  baseline: "baseline",
};

export function flexAlign(v: unknown): string | null {
  if (typeof v !== "string" || v === "") return null;
  return ALIGN[v] ?? v;
}

const JUSTIFY: Record<string, string> = {
  start: "flex-start",
  end: "flex-end",
  center: "center",
  between: "space-between",
  around: "space-around",
  evenly: "space-evenly",
};

export function flexJustify(v: unknown): string | null {
  if (typeof v !== "string" || v === "") return null;
  return JUSTIFY[v] ?? v;
}

const FONT_SIZES: Record<string, string> = {
  xs: "0.75rem",
  sm: "0.875rem",
  md: "1rem",
  lg: "1.125rem",
  xl: "1.25rem",
  "2xl": "1.5rem",
  "3xl": "1.875rem",
  "4xl": "2.25rem",
  // Radix scale
  "1": "0.75rem",
  "2": "0.875rem",
  "3": "1rem",
  "4": "1.125rem",
  "5": "1.25rem",
  "6": "1.5rem",
  "7": "1.75rem",
  "8": "2.1875rem",
  "9": "3.75rem",
};

/** `size` of headings and text: xs..4xl (or Radix 1..9), else any CSS font size. */
export function fontSize(v: unknown): string | null {
  if (v === null || v === undefined || v === false || v === "") return null;
  const s = String(v).trim();
  return FONT_SIZES[s] ?? (typeof v === "number" ? `${v}px` : s);
}
