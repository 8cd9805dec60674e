/** Display components: progress, badge, spinner, image, data_table, callout. */
import { declaresProp } from "./catalog";
import type { ComponentContext } from "./component-context";
import { warn } from "./context";
import { deepEqual, pyStr } from "./expr";
import { safeSrc } from "./sanitize";
import type { ComponentSpec } from "./spec";
import { setStyle } from "./style";

export function scheme(c: ComponentContext, el: Element, dflt?: string): void {
  // A callout's `status` picks its colours when no `color_scheme` is given.
  const prop = c.has("color_scheme") || !declaresProp(c.name, "status") ? "color_scheme" : "status";
  c.bindClass(prop, el, "scheme", dflt);
}

const CALLOUT_ICONS: Record<string, string> = {
  info: "\u2139",
  success: "\u2713",
  check: "\u2713",
  warning: "\u26a0",
  triangle_alert: "\u26a0",
  alert_triangle: "\u26a0",
  error: "\u2715",
  x: "\u2715",
  circle_x: "\u2715",
  ban: "\u2298",
  lightbulb: "\u2600",
};

const SCHEME_OF_STATUS: Record<string, string> = {
  info: "blue",
  success: "green",
  warning: "orange",
  error: "red",
};

interface Table {
  columns: unknown[];
  rows: unknown[][];
}

/** `data` as columns and rows; `columnsProp` (if a list) names and orders the columns. */
function toTable(data: unknown, columnsProp: unknown = null): Table {
  const given = Array.isArray(columnsProp) ? columnsProp : null;
  if (Array.isArray(data)) {
    // A list of dicts (the Python side normally converts these already) or of lists.
    const columns: unknown[] = given ? given.map((c) => columnKey(c)) : [];
    if (!given) {
      for (const row of data) {
        if (row && typeof row === "object" && !Array.isArray(row)) {
          for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
        }
      }
    }
    const rows = data.map((row) =>
      Array.isArray(row) ? row : columns.map((k) => (row as Record<string, unknown>)?.[String(k)] ?? null),
    );
    return { columns: given ?? columns, rows };
  }
  if (data && typeof data === "object") {
    const d = data as { columns?: unknown; rows?: unknown; data?: unknown };
    const columns = given ?? (Array.isArray(d.columns) ? d.columns : []);
    const rawRows = Array.isArray(d.rows) ? d.rows : Array.isArray(d.data) ? d.data : [];
    const rows = rawRows.map((r) => (Array.isArray(r) ? r : [r]));
    return { columns, rows };
  }
  return { columns: [], rows: [] };
}

function columnKey(col: unknown): string {
  if (col && typeof col === "object" && !Array.isArray(col)) {
    const o = col as Record<string, unknown>;
    return pyStr(o.id ?? o.name ?? o.label ?? o.title ?? "");
  }
  return pyStr(col);
}

function columnLabel(col: unknown): string {
  if (col && typeof col === "object" && !Array.isArray(col)) {
    const o = col as Record<string, unknown>;
    return pyStr(o.label ?? o.title ?? o.name ?? o.id ?? "");
  }
  return pyStr(col);
}

function cellText(v: unknown): string {
  return v === null || v === undefined ? "" : pyStr(v);
}

export const DISPLAY_COMPONENTS: Record<string, ComponentSpec> = {
  progress: {
    build(c) {
      const el = c.el("div", "nbstate-progress");
      el.setAttribute("role", "progressbar");
      c.bindClass("size", el, "size", "md");
      const bar = c.el("div", "nbstate-progress-bar");
      el.appendChild(bar);
      scheme(c, el);
      c.bindMany(["value", "max"], ([value, maxRaw]) => {
        const max = typeof maxRaw === "number" && maxRaw > 0 ? maxRaw : 100;
        el.setAttribute("aria-valuemin", "0");
        el.setAttribute("aria-valuemax", String(max));
        if (typeof value !== "number" || !Number.isFinite(value)) {
          el.classList.add("nbstate-progress-indeterminate");
          el.removeAttribute("aria-valuenow");
          bar.style.removeProperty("width");
        } else {
          el.classList.remove("nbstate-progress-indeterminate");
          const clamped = Math.min(max, Math.max(0, value));
          el.setAttribute("aria-valuenow", String(clamped));
          bar.style.setProperty("width", `${(clamped / max) * 100}%`);
        }
      });
      return el;
    },
  },
  badge: {
    build(c) {
      const el = c.el("span", "nbstate-badge");
      scheme(c, el);
      c.bindClass("variant", el, "variant", "soft");
      c.bindClass("size", el, "size", "md");
      c.children(el);
      return el;
    },
  },
  spinner: {
    build(c) {
      const el = c.el("span", "nbstate-spinner");
      el.setAttribute("role", "status");
      el.setAttribute("aria-label", "Loading");
      c.bindClass("size", el, "size", "md");
      return el;
    },
  },
  image: {
    build(c) {
      const el = c.el("img", "nbstate-image");
      c.bind("src", (v) => {
        const src = v === null ? null : safeSrc(v);
        if (src === null) {
          if (v !== null) warn(`image src dropped (only http, https, relative and data:image URLs): ${pyStr(v).slice(0, 80)}`);
          el.removeAttribute("src");
        } else el.setAttribute("src", src);
      });
      c.bind("alt", (v) => el.setAttribute("alt", v === null ? "" : pyStr(v)), "");
      for (const dim of ["width", "height"] as const) {
        c.bind(dim, (v) => {
          if (typeof v === "number") {
            el.setAttribute(dim, String(v));
            el.style.removeProperty(dim);
          } else {
            el.removeAttribute(dim);
            setStyle(el, dim, typeof v === "string" ? v : null);
          }
        });
      }
      return el;
    },
  },
  data_table: {
    build(c) {
      const el = c.el("div", "nbstate-data-table");
      const table = c.el("table", "nbstate-table");
      const thead = c.el("thead");
      const headRow = c.el("tr");
      thead.appendChild(headRow);
      const tbody = c.el("tbody");
      table.append(thead, tbody);
      el.appendChild(table);
      let lastCols: unknown[] | null = null;
      let lastRows: unknown[][] = [];
      c.bindMany(["data", "columns"], ([data, columnsProp]) => {
        const { columns, rows } = toTable(data, columnsProp);
        if (!deepEqual(columns, lastCols)) {
          headRow.replaceChildren(
            ...columns.map((col) => {
              const th = c.el("th");
              th.setAttribute("scope", "col");
              th.textContent = columnLabel(col);
              return th;
            }),
          );
          lastCols = columns;
          lastRows = [];
          tbody.replaceChildren();
        }
        // Only rows that changed are rewritten.
        const trs = tbody.children;
        for (let i = 0; i < rows.length; i++) {
          if (i < lastRows.length && deepEqual(rows[i], lastRows[i])) continue;
          let tr = trs[i] as HTMLTableRowElement | undefined;
          if (!tr) {
            tr = c.el("tr");
            tbody.appendChild(tr);
          }
          const cells = rows[i];
          const n = Math.max(columns.length, cells.length);
          while (tr.children.length > n) tr.lastChild!.remove();
          for (let j = 0; j < n; j++) {
            let td = tr.children[j] as HTMLTableCellElement | undefined;
            if (!td) {
              td = c.el("td");
              tr.appendChild(td);
            }
            const text = cellText(cells[j]);
            if (td.textContent !== text) td.textContent = text;
            td.classList.toggle("nbstate-num", typeof cells[j] === "number");
          }
        }
        while (tbody.children.length > rows.length) tbody.lastChild!.remove();
        lastRows = rows;
      });
      return el;
    },
  },
  callout: {
    build(c) {
      const el = c.el("div", "nbstate-callout");
      el.setAttribute("role", "note");
      const icon = c.el("span", "nbstate-callout-icon");
      icon.setAttribute("aria-hidden", "true");
      const body = c.el("div", "nbstate-callout-body");
      el.append(icon, body);
      let current: string | null = null;
      c.bindMany(["color_scheme", "status", "icon"], ([cs, status, iconName]) => {
        const st = typeof status === "string" ? status.toLowerCase() : null;
        const schemeName = (typeof cs === "string" && cs) || (st && SCHEME_OF_STATUS[st]) || "blue";
        const cls = "nbstate-scheme-" + (schemeName.replace(/[^a-z0-9_-]/gi, "").toLowerCase() || "blue");
        if (cls !== current) {
          if (current) el.classList.remove(current);
          el.classList.add(cls);
          current = cls;
        }
        let glyph = "";
        if (typeof iconName === "string") {
          const key = iconName.toLowerCase().replace(/-/g, "_");
          glyph = CALLOUT_ICONS[key] ?? (Array.from(iconName).length <= 2 ? iconName : CALLOUT_ICONS.info);
        } else if (iconName !== false) {
          glyph = CALLOUT_ICONS[st ?? ""] ?? CALLOUT_ICONS.info;
        }
        icon.textContent = glyph;
        icon.hidden = glyph === "";
      });
      c.bind("text", (v) => {
        let t = body.querySelector(":scope > .nbstate-callout-text");
        if (!t) {
          t = c.el("span", "nbstate-callout-text");
          body.insertBefore(t, body.firstChild);
        }
        t.textContent = v === null ? "" : pyStr(v);
      });
      c.children(body);
      return el;
    },
  },
};
