import { z } from 'zod';

import { ValidationError } from '../../core/errors.js';
import type { LibraryMetadataPatch, WorkflowFields } from '../../core/ports/photo-archive.js';

// What Lightdesk writes into an asset's IPTC (wire doc #23): the core fields, and its workflow fields
// as one block of `name: value` lines inside the free-text instructions [INF], so the rest of the
// instructions a photographer wrote stays as it was.

const TEXT_MAX = 2_000;

const keywordSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  // The wire carries keywords as one comma-separated string [3P Drupal]: a comma would split it.
  .refine((word) => !word.includes(','), 'must not contain a comma');

export const libraryMetadataPatchSchema = z
  .object({
    title: z.string().max(TEXT_MAX).optional(),
    caption: z.string().max(TEXT_MAX).optional(),
    keywords: z.array(keywordSchema).max(500).optional(),
    credit: z.string().max(TEXT_MAX).optional(),
    copyright: z.string().max(TEXT_MAX).optional(),
  })
  .strict();

/** Lightdesk's field names: one line each, so no colon or line break. */
const fieldNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'must be letters, digits, space, _ . or -');

export const workflowFieldsSchema = z.record(
  fieldNameSchema,
  z
    .string()
    .max(500)
    .refine((value) => !/[\r\n]/.test(value), 'must be one line'),
);

export function parseMetadataPatch(patch: LibraryMetadataPatch): LibraryMetadataPatch {
  const parsed = libraryMetadataPatchSchema.safeParse(patch);
  if (!parsed.success) throw ValidationError.fromZod('Not a metadata patch', parsed.error);
  return parsed.data;
}

export function parseWorkflowFields(fields: WorkflowFields): WorkflowFields {
  const parsed = workflowFieldsSchema.safeParse(fields);
  if (!parsed.success) throw ValidationError.fromZod('Not workflow fields', parsed.error);
  return parsed.data;
}

/** The patch as IPTC attributes by their wire names; absent fields are left out (not cleared). */
export function toIptcFields(patch: LibraryMetadataPatch): Record<string, string> {
  const fields: Record<string, string> = {};
  if (patch.title !== undefined) fields['title'] = patch.title;
  if (patch.caption !== undefined) fields['caption'] = patch.caption;
  if (patch.keywords !== undefined) {
    fields['keyword'] = patch.keywords.map((word) => word.trim()).join(', ');
  }
  if (patch.credit !== undefined) fields['credit'] = patch.credit;
  if (patch.copyright !== undefined) fields['copyright'] = patch.copyright;
  return fields;
}

const BLOCK_START = '[Lightdesk]';
const BLOCK_END = '[/Lightdesk]';
const BLOCK = /\[Lightdesk\]\r?\n([\s\S]*?)\[\/Lightdesk\]/;

/** The workflow fields in an instructions text (empty when it holds no Lightdesk block). */
export function readWorkflowBlock(instructions: string): Record<string, string> {
  const body = BLOCK.exec(instructions)?.[1] ?? '';
  // Entries, not assignments: the text is anyone's, and a `__proto__` line must stay a plain key.
  return Object.fromEntries(
    body.split(/\r?\n/).flatMap((line) => {
      const at = line.indexOf(': ');
      return at > 0 ? [[line.slice(0, at), line.slice(at + 2)] as const] : [];
    }),
  );
}

/**
 * The instructions with `fields` set in Lightdesk's block: other fields in the block stay, an empty
 * value removes its field, text outside the block is kept as is. No field left: no block.
 */
export function mergeWorkflowBlock(instructions: string, fields: WorkflowFields): string {
  const merged = new Map(Object.entries(readWorkflowBlock(instructions)));
  for (const [name, value] of Object.entries(fields)) {
    if (value === '') merged.delete(name);
    else merged.set(name, value);
  }
  const lines = [...merged].map(([name, value]) => `${name}: ${value}`);
  const block = lines.length === 0 ? '' : `${BLOCK_START}\n${lines.join('\n')}\n${BLOCK_END}`;
  if (BLOCK.test(instructions)) {
    // A function replacer: a `$` in a value is text, not a replacement pattern.
    if (block !== '') return instructions.replace(BLOCK, () => block);
    return instructions.replace(/(?:\r?\n)*\[Lightdesk\]\r?\n[\s\S]*?\[\/Lightdesk\]/, '');
  }
  if (block === '') return instructions;
  return instructions.trim() === '' ? block : `${instructions.trimEnd()}\n\n${block}`;
}
