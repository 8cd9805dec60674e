import widget from "../../nbstate/static/view.js";

const theme = new URLSearchParams(location.search).get("theme") === "dark" ? "dark" : "light";
document.body.className = theme;

class Model {
  constructor(attrs, manager, id) {
    this.attrs = { ...attrs };
    this.listeners = [];
    this.model_id = id;
    this.widget_manager = manager;
    manager.models.set(id, this);
  }
  get(k) { return this.attrs[k]; }
  set(k, v) { this.attrs[k] = v; this.trigger("change:" + k); this.trigger("change"); }
  on(e, cb, ctx) { this.listeners.push({ e, cb, ctx }); }
  off(e, cb, ctx) {
    this.listeners = this.listeners.filter((l) => !((e == null || l.e === e) && (cb == null || l.cb === cb) && (ctx == null || l.ctx === ctx)));
  }
  trigger(e, ...a) { for (const l of [...this.listeners]) if (l.e === e) l.cb.apply(l.ctx, a); }
  send(msg) { window.sent.push(msg); console.log("[demo] sent", JSON.stringify(msg)); handle(this, msg); }
}
window.sent = [];
const manager = {
  models: new Map(),
  async get_model(id) { return this.models.get(id); },
  async create_view(m) { const el = document.createElement("button"); el.textContent = m.get("description"); return { el, remove() { el.remove(); } }; },
};

const lit = (v) => ({ op: "lit", v });
const v = (name) => ({ op: "var", s: 0, name });
const arg = (name) => ({ op: "arg", name });
const ev = { op: "event", i: 0 };
const t = (e) => ({ type: "text", expr: typeof e === "string" ? lit(e) : e });
const c = (name, props = {}, children = [], extra = {}) => ({
  type: "component", name, props, children: children.map((x) => (typeof x === "string" ? t(x) : x)), ...extra,
});
const on = (handler, args = []) => [{ s: 0, handler, args }];

const state = new Model({
  _nbstate_class: "Demo",
  _nbstate_errors: [{ id: 1, handler: "my_task", type: "ValueError", message: "counter must be positive, got -3",
    traceback: 'Traceback (most recent call last):\n  File "<cell>", line 12, in my_task\n    raise ValueError(...)\nValueError: counter must be positive, got -3' }],
  v_counter: 3, v_max_counter: 10, v_running: false, v_name: "Ada", v_agree: true, v_dark: false,
  v_color: "green", v_size: "m", v_volume: 40,
  v_todos: [{ title: "Write the frontend", done: true }, { title: "Test it", done: false }],
  v_md: "### Markdown\nSome *emphasis*, **strong**, `code` and a [link](https://example.org).\n\n- one\n- two <b>raw html</b>\n",
  v_table: { columns: ["name", "score"], rows: [["ada", 3], ["grace", 10]] },
}, manager, "state1");

function handle(model, msg) {
  if (msg.kind === "dismiss") model.set("_nbstate_errors", model.get("_nbstate_errors").filter((e) => e.id !== msg.id));
  if (msg.kind !== "event") return;
  const set = (k, val) => model.set("v_" + k, val);
  if (msg.handler.startsWith("set_")) set(msg.handler.slice(4), msg.args[0]);
  if (msg.handler === "toggle_running") set("running", !model.get("v_running"));
  if (msg.handler === "clear_counter") set("counter", 0);
  if (msg.handler === "increment") set("counter", model.get("v_counter") + 1);
  if (msg.handler === "toggle") {
    const todos = model.get("v_todos").map((x, i) => (i === msg.args[0] ? { ...x, done: !x.done } : x));
    set("todos", todos);
  }
}

const tree = c("vstack", { spacing: lit("4") }, [
  c("hstack", {}, [
    c("heading", {}, [t(v("counter")), " /"]),
    c("number_input", { value: v("max_counter") }, [], { style: { width: lit("8em") }, events: { on_change: on("set_max_counter", [ev]) } }),
    c("button", {}, [t({ op: "cond", c: { op: "not", a: v("running") }, a: lit("Start"), b: lit("Stop") })], { events: { on_click: on("toggle_running") } }),
    c("button", { variant: lit("outline") }, ["Reset"], { events: { on_click: on("clear_counter") } }),
    c("button", { variant: lit("ghost") }, ["Ghost"]),
    c("button", { color_scheme: lit("red") }, ["Delete"]),
    c("button", { disabled: lit(true) }, ["Disabled"]),
  ]),
  c("divider"),
  c("grid", { columns: lit(2), spacing: lit("4") }, [
    c("vstack", {}, [
      c("text", { as: lit("strong") }, ["Inputs"]),
      c("input", { value: v("name"), placeholder: lit("Your name") }, [], { events: { on_change: on("set_name", [ev]) } }),
      c("text_area", { placeholder: lit("Notes"), rows: lit(3) }),
      c("select", { items: lit(["red", "green", "blue"]), value: v("color") }, [], { events: { on_change: on("set_color", [ev]) } }),
      c("slider", { value: v("volume"), min: lit(0), max: lit(100) }, [], { events: { on_change: on("set_volume", [ev]) } }),
      c("checkbox", { checked: v("agree") }, ["I agree"], { events: { on_change: on("set_agree", [ev]) } }),
      c("switch", { checked: v("dark") }, ["Dark mode"], { events: { on_change: on("set_dark", [ev]) } }),
      c("radio_group", { items: lit(["s", "m", "l"]), value: v("size"), direction: lit("row") }, [], { events: { on_change: on("set_size", [ev]) } }),
      c("input", { disabled: lit(true), placeholder: lit("disabled input") }),
    ]),
    c("vstack", {}, [
      c("text", { as: lit("strong") }, ["Display"]),
      c("hstack", {}, [
        c("badge", {}, ["default"]), c("badge", { color_scheme: lit("green") }, ["success"]),
        c("badge", { color_scheme: lit("red"), variant: lit("solid") }, ["error"]), c("badge", { color_scheme: lit("orange"), variant: lit("outline") }, ["warn"]),
        c("spinner", { size: lit("sm") }), c("spinner"),
      ]),
      c("progress", { value: { op: "mul", a: v("counter"), b: lit(10) } }),
      c("progress"),
      c("callout", { status: lit("info") }, ["Callouts carry a status colour and icon."]),
      c("callout", { color_scheme: lit("red"), icon: lit("triangle_alert") }, ["Something needs attention."]),
      c("hstack", {}, [c("text", {}, ["Inline "]), c("code", {}, ["x = 1"]), c("link", { href: lit("https://example.org"), is_external: lit(true) }, ["a link"])]),
      c("image", { src: lit("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='80' height='24'%3E%3Crect width='80' height='24' rx='4' fill='%2342a5f5'/%3E%3C/svg%3E"), alt: lit("a blue bar") }),
    ]),
  ]),
  c("heading", { level: lit(3) }, ["Todos"]),
  { type: "foreach", list: v("todos"), item: "todo", index: "i", body:
    c("checkbox", { checked: { op: "item", a: arg("todo"), key: lit("done") } }, [t({ op: "item", a: arg("todo"), key: lit("title") })],
      { events: { on_change: on("toggle", [arg("i")]) } }) },
  c("markdown", {}, [t(v("md"))]),
  c("data_table", { data: v("table") }),
  c("form", {}, [
    c("hstack", {}, [c("input", { name: lit("title"), placeholder: lit("New item") }), c("button", { type: lit("submit") }, ["Add"])]),
  ], { events: { on_submit: on("add", [ev]) } }),
  c("text", {}, [t({ op: "frobnicate" })]),
  c("fancy_thing"),
]);

const view = new Model({ tree, states: ["IPY_MODEL_state1"], widgets: [] }, manager, "view1");
const el = document.getElementById("out");
await widget.render({ model: view, el });
window.state = state;
document.body.setAttribute("data-ready", "1");
