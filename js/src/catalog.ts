/**
 * The catalogue of components, props, events and expression ops, as the kernel defines it
 * (nbstate/_ui/catalog.py writes catalog.json; a Python test checks the copy is current).
 * Components may read only the props and fire only the events it lists for them: a builder that
 * reads anything else is a bug, reported as an error next to the component, and the contract
 * tests (tests/catalog.test.ts) check that each builder reads every prop it lists.
 */
import data from "./catalog.json";

export interface CatalogComponent {
  props: readonly string[];
  events: readonly string[];
  children: boolean;
}

export const CATALOG = data as {
  common_props: readonly string[];
  generic_events: Readonly<Record<string, string>>;
  event_values: Readonly<Record<string, number>>;
  components: Readonly<Record<string, CatalogComponent>>;
  ops: Readonly<Record<string, readonly string[]>>;
};

const props = new Map<string, Set<string>>();
const events = new Map<string, Set<string>>();
for (const [name, c] of Object.entries(CATALOG.components)) {
  props.set(name, new Set([...c.props, ...CATALOG.common_props]));
  events.set(name, new Set([...c.events, ...Object.keys(CATALOG.generic_events)]));
}

/** True when the catalogue lets component `name` take prop `prop`. */
export function declaresProp(name: string, prop: string): boolean {
  return props.get(name)?.has(prop) ?? false;
}

/** True when the catalogue lets component `name` fire event `event`. */
export function declaresEvent(name: string, event: string): boolean {
  return events.get(name)?.has(event) ?? false;
}
