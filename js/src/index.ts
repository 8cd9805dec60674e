/**
 * The renderer module (view.js): only a default `{ render }` export, as the view loader
 * (loader.ts) expects.
 */
import { render } from "./widget";

export default { render };
