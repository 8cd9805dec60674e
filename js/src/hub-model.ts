/**
 * The ESM of the kernel's hub model: it draws nothing, and applies the kernel's batches of
 * state changes for as long as the hub lives (hub.ts). Kept apart from the renderer, which the
 * hub carries as data (`_nbstate_runtime`) for views to import once per page (loader.ts).
 */
import { initialize } from "./widget-state";

export default { initialize };
