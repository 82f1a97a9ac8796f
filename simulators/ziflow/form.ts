import { isRecord } from '../kit/body.js';

// Ziflow takes form bodies as well as JSON (api-docs.ziflow.com overview). Nested fields use the
// bracket form (`input[0][source]=…`, `brief[text]=…`); numeric keys make arrays.

/** `pairs` (form or multipart fields, in order) as one nested object of strings. */
export function nestForm(pairs: Iterable<[string, string]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of pairs) {
    const head = /^[^[]+/.exec(name)?.[0] ?? name;
    const rest = [...name.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '');
    setPath(root, [head, ...rest], value);
  }
  return arrays(root) as Record<string, unknown>;
}

function setPath(target: Record<string, unknown>, keys: string[], value: string): void {
  let node = target;
  keys.forEach((key, i) => {
    const k = key === '' ? String(Object.keys(node).length) : key;
    if (i === keys.length - 1) {
      node[k] = value;
      return;
    }
    const next = node[k];
    if (isRecord(next)) {
      node = next;
    } else {
      const made: Record<string, unknown> = {};
      node[k] = made;
      node = made;
    }
  });
}

/** Objects whose keys are all 0…n-1 become arrays. */
function arrays(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const entries = Object.entries(value).map(([k, v]) => [k, arrays(v)] as const);
  const keys = entries.map(([k]) => k);
  const isList = keys.length > 0 && keys.every((k, i) => k === String(i));
  if (isList) return entries.map(([, v]) => v);
  return Object.fromEntries(entries);
}
