import type { ComponentContext } from "./component-context";

export interface ComponentSpec {
  /** Props that decide the element itself; when one of them changes the component is rebuilt. */
  structural?: readonly string[];
  /** Builds the root element, binding props and mounting children through the context. */
  build(c: ComponentContext): HTMLElement;
}
