// Planner ETags, e.g. `W/"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAWCc="` (api/plannertaskdetails-update.md).
// Decoded, that example is `'1-Task  @@@@@@@@@@@@@@@@X'` and the bucket one (plannerplan-list-buckets.md)
// `'1-Bucket@@@@@@@@@@@@@@@@D'`: a kind padded to 6, a 16-character version, one more character.
// [INF] We keep that layout and write a version that grows on every write anywhere in the simulator,
// so an ETag changes on every write of its resource and two resources never share one.

export type EtagKind = 'Task' | 'TaskDetails' | 'Bucket' | 'Plan' | 'PlanDetails';

const KIND_LABEL: Record<EtagKind, string> = {
  Task: 'Task  ',
  TaskDetails: 'TDetai',
  Bucket: 'Bucket',
  Plan: 'Plan  ',
  PlanDetails: 'PDetai',
};

const KIND_SUFFIX: Record<EtagKind, string> = {
  Task: 'X',
  TaskDetails: 'T',
  Bucket: 'D',
  Plan: 'P',
  PlanDetails: 'Q',
};

// '@' (0x40) then 'A'..'Z': ordinal order equals numeric order, as planner-overview.md
// ("Planner resource versioning") says newer etags compare greater.
const DIGITS = '@ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function versionText(version: number): string {
  let rest = version;
  let text = '';
  while (rest > 0) {
    text = DIGITS.charAt(rest % DIGITS.length) + text;
    rest = Math.floor(rest / DIGITS.length);
  }
  return text.padStart(16, '@');
}

export function formatEtag(kind: EtagKind, version: number): string {
  const inner = `'1-${KIND_LABEL[kind]}${versionText(version)}${KIND_SUFFIX[kind]}'`;
  return `W/"${Buffer.from(inner, 'latin1').toString('base64')}"`;
}

function opaque(tag: string): string {
  const trimmed = tag.trim();
  const weakless = trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed;
  return weakless.startsWith('"') && weakless.endsWith('"') && weakless.length >= 2
    ? weakless.slice(1, -1)
    : weakless;
}

/**
 * Whether an `If-Match` value names the current version. [INF] Weak and strong forms compare by
 * their opaque value, a list matches when any entry does, and `*` matches anything (RFC 9110).
 * Planner "allows changes to older versions … if the intended change does not conflict"
 * (planner-overview.md); the simulator is stricter and refuses every older version with 412, which
 * is the case a client must handle anyway.
 */
export function ifMatchAccepts(header: string, current: string): boolean {
  if (header.trim() === '*') return true;
  const wanted = opaque(current);
  return header
    .split(/,(?=\s*(?:W\/)?")/)
    .map(opaque)
    .some((tag) => tag === wanted);
}
