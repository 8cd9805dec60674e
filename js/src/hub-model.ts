/**
 * The ESM of a state model: it draws nothing, and keeps the model's patch handler installed
 * for as long as the model lives, so patches apply in order even while no view is open.
 * Kept apart from the view bundle so each state model carries only a few hundred bytes.
 */
import { initialize } from "./widget-state";

export default { initialize };
