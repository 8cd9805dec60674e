/**
 * nbstate's anywidget frontend. Only the default export: anywidget treats a named `render`
 * export as the deprecated API and would skip `initialize`.
 */
import { initialize, render } from "./widget";

export default { initialize, render };
