/**
 * The ESM of the kernel's hub model: it draws nothing, and applies the kernel's batches of
 * state changes for as long as the hub lives (hub.ts). It bundles the renderer too, which it
 * registers for the page's views when it loads (widget-state.ts); the hub also carries the
 * renderer as data (`_nbstate_runtime`), which a view imports only when no hub registered it.
 */
import { initialize } from "./widget-state";

export default { initialize };
