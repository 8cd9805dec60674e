/** Wire types shared by the renderer, the evaluator and the tests (see docs/protocol.md). */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An expression tree node. Fields depend on `op`; the evaluator validates them. */
export interface Expr {
  op: string;
  [field: string]: unknown;
}

export interface EventSpec {
  s: number;
  handler: string;
  args?: Expr[];
}

export interface ComponentNode {
  type: "component";
  name: string;
  props?: Record<string, Expr>;
  style?: Record<string, Expr>;
  events?: Record<string, EventSpec[] | EventSpec>;
  children?: TreeNode[];
}

export interface TextNode {
  type: "text";
  expr: Expr;
}

export interface CondNode {
  type: "cond";
  c: Expr;
  a: TreeNode | null;
  b: TreeNode | null;
}

export interface ForeachNode {
  type: "foreach";
  list: Expr;
  item: string;
  index?: string;
  body: TreeNode;
}

export interface FragmentNode {
  type: "fragment";
  children?: TreeNode[];
}

export interface WidgetNode {
  type: "widget";
  index: number;
}

export type TreeNode = ComponentNode | TextNode | CondNode | ForeachNode | FragmentNode | WidgetNode;

export interface ErrorEntry {
  id: number;
  handler?: string | null;
  type?: string;
  message?: string;
  traceback?: string;
}

export type PatchOp =
  | { op: "set"; path: (string | number)[]; value: unknown }
  | { op: "insert"; path: (string | number)[]; value: unknown }
  | { op: "append"; path: (string | number)[]; value: unknown }
  | { op: "delete"; path: (string | number)[] }
  | { op: "replace"; path: (string | number)[]; value: unknown };

export type Callback = (...args: any[]) => void;

/**
 * The part of a Backbone / ipywidgets model the frontend uses. The anywidget model proxy
 * handed to `render` ignores the context argument (it binds the view itself), so listeners on
 * the view model are always removed by callback, never by context alone.
 */
export interface ModelLike {
  get(name: string): any;
  set(name: string, value: unknown): void;
  on(event: string, callback: Callback, context?: unknown): void;
  off(event?: string | null, callback?: Callback | null, context?: unknown): void;
  send(content: unknown, callbacks?: unknown, buffers?: unknown): void;
  model_id?: string;
  widget_manager: WidgetManagerLike;
}

export interface WidgetViewLike {
  el: HTMLElement;
  remove(): void;
  trigger?(event: string, ...args: unknown[]): void;
}

export interface WidgetManagerLike {
  get_model(id: string): Promise<ModelLike> | ModelLike;
  create_view(model: ModelLike, options?: unknown): Promise<WidgetViewLike>;
}
