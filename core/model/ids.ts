import { z } from 'zod';

// PhotoShelter ids are 16 characters: a 5-character type prefix and 11 of [A-Za-z0-9._]
// (docs/photoshelter-wire.md; [OFF] importer regexes).
const psId = (prefix: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}[A-Za-z0-9._]{11}$`),
      `must be a PhotoShelter id starting ${prefix}`,
    );

export const galleryIdSchema = psId('G0000');
export const collectionIdSchema = psId('C0000');
export const assetIdSchema = psId('I0000');
export const organizationIdSchema = psId('O0000');

/** Entra object and app ids, Planner checklist keys, Teams app ids: the 8-4-4-4-12 hex form. */
export const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const guidSchema = z.string().regex(guidPattern, 'must be a GUID');
