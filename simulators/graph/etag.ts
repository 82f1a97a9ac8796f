// Planner ETags, e.g. `W/"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAWCc="`
// (api/plannertaskdetails-update.md), decoded `'1-Task  @@@@@@@@@@@@@@@@X'`: a kind padded to 6, a
// 16-character version, one character. [INF] The version grows on every write anywhere, so no two
// resources share an ETag.

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
 * Whether `If-Match` names the current version. [INF] Weak and strong forms compare by value, a
 * list matches if any entry does, `*` matches anything (RFC 9110). Planner may accept
 * non-conflicting older versions (planner-overview.md); the simulator refuses all with 412, which
 * clients must handle.
 */
export function ifMatchAccepts(header: string, current: string): boolean {
  if (header.trim() === '*') return true;
  const wanted = opaque(current);
  return header
    .split(/,(?=\s*(?:W\/)?")/)
    .map(opaque)
    .some((tag) => tag === wanted);
}
