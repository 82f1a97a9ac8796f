import {
  type CollectionRecord,
  estimateFileSize,
  type GalleryRecord,
  type ImageRecord,
  type LibraryData,
  type Mode,
  type PermissionRecord,
} from './library.js';
import { SeededRandom } from '../kit/random.js';
import { idBody } from './random.js';
import { type Micros, MICROS_PER_DAY, MICROS_PER_SECOND } from './time.js';

// A believable university library, the same for the same seed: one seeded generator, and times as
// offsets back from the caller's anchor (which never changes how many numbers are drawn).

interface Area {
  readonly name: string;
  readonly description: string;
  readonly mode: Mode;
  readonly subjects: readonly string[];
  readonly keywords: readonly string[];
  readonly subs: readonly { readonly name: string; readonly galleries: readonly string[] }[];
}

const OPPONENTS = ['State', 'Riverside', 'Northfield', 'Tech', 'Central', 'Bayview', 'Highland'];

const AREAS: readonly Area[] = [
  {
    name: 'Athletics',
    description: 'Game day, practice and portraits of our teams.',
    mode: 'everyone',
    subjects: [
      'Players warm up before kick-off',
      'The crowd rises as the home team scores',
      'Coaches talk tactics on the sideline',
      'A sprinter breaks the tape',
      'Teammates celebrate after the final whistle',
      'Fans in school colours fill the stands',
    ],
    keywords: ['athletics', 'sports', 'game day', 'team', 'fans', 'stadium'],
    subs: [
      { name: 'Football', galleries: ['Football vs. {opp}', 'Football at {opp}', 'Media Day'] },
      { name: 'Basketball', galleries: ['Basketball vs. {opp}', 'Midnight Madness'] },
      { name: 'Track & Field', galleries: ['Invitational', 'Conference Championships'] },
      { name: 'Soccer', galleries: ['Soccer vs. {opp}', 'Senior Night'] },
      { name: 'Swimming & Diving', galleries: ['Dual Meet vs. {opp}', 'Diving Practice'] },
    ],
  },
  {
    name: 'Campus Life',
    description: 'Students, residence halls and everyday moments on campus.',
    mode: 'everyone',
    subjects: [
      'Students study on the quad',
      'New students move into the residence halls',
      'A club fair fills the student union',
      'Friends share lunch in the dining hall',
      'Late-night studying in the library',
    ],
    keywords: ['campus', 'students', 'student life', 'community', 'residence'],
    subs: [
      { name: 'Orientation', galleries: ['Move-in Day', 'Welcome Week', 'Orientation Session'] },
      { name: 'Residence Halls', galleries: ['Hall Life', 'Floor Event'] },
      { name: 'Student Organizations', galleries: ['Club Fair', 'Student Government'] },
      { name: 'Dining', galleries: ['Dining Hall', 'Food Truck Friday'] },
    ],
  },
  {
    name: 'Brand Assets',
    description: 'Approved imagery for marketing and communications.',
    mode: 'permission',
    subjects: [
      'The clock tower at golden hour',
      'Autumn leaves over the main quad',
      'Portrait for the faculty directory',
      'Aerial view of campus',
      'The library steps in spring',
    ],
    keywords: ['brand', 'marketing', 'approved', 'campus beauty', 'portrait'],
    subs: [
      { name: 'Campus Beauty', galleries: ['Campus in Autumn', 'Spring Blooms', 'Winter Campus'] },
      { name: 'Headshots', galleries: ['Faculty Headshots', 'Staff Headshots'] },
      { name: 'Aerials', galleries: ['Drone Flight'] },
    ],
  },
  {
    name: 'Events',
    description: 'Ceremonies, lectures, reunions and performances.',
    mode: 'everyone',
    subjects: [
      'Graduates toss their caps',
      'A guest speaker addresses the audience',
      'Alumni reconnect at the reception',
      'The orchestra takes a bow',
      'The homecoming parade rounds the corner',
    ],
    keywords: ['events', 'ceremony', 'alumni', 'audience', 'celebration'],
    subs: [
      { name: 'Commencement', galleries: ['Commencement Ceremony', 'Graduate Portraits'] },
      { name: 'Homecoming', galleries: ['Homecoming Parade', 'Homecoming Game'] },
      { name: 'Alumni Weekend', galleries: ['Alumni Reception', 'Reunion Dinner'] },
      { name: 'Guest Lectures', galleries: ['Distinguished Lecture', 'Panel Discussion'] },
    ],
  },
];

const ROOT_GALLERIES = ['Inbox', 'Press Kit'];

const PHOTOGRAPHERS = [
  'Jordan Lee',
  'Priya Natarajan',
  'Marcus Webb',
  'Elena García',
  'Sam Okafor',
  'Hannah Kowalski',
];

const CAMERAS: readonly { prefix: string; ext: string; width: number; height: number }[] = [
  { prefix: 'IMG_', ext: '.JPG', width: 6000, height: 4000 },
  { prefix: 'DSC_', ext: '.NEF', width: 6048, height: 4024 },
  { prefix: 'DSC0', ext: '.ARW', width: 7952, height: 5304 },
  { prefix: '_MG_', ext: '.CR2', width: 5472, height: 3648 },
  { prefix: 'IMG_', ext: '.HEIC', width: 4032, height: 3024 },
  { prefix: 'DSC_', ext: '.jpg', width: 5568, height: 3712 },
];

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

const ORGANIZATION = 'Lightdesk University';

/**
 * The library for (seed, assets). `anchor` is the latest moment anything seeded may carry; every time
 * lies in roughly the three years before it.
 */
export function generateLibrary(seed: number, assets: number, anchor: Micros): LibraryData {
  if (!Number.isInteger(assets) || assets < 0) throw new RangeError('assets must be ≥ 0');
  const rng = new SeededRandom(seed);
  const taken = new Set<string>();
  const newId = (prefix: string): string => {
    for (;;) {
      const id = `${prefix}${idBody(rng)}`;
      if (!taken.has(id)) {
        taken.add(id);
        return id;
      }
    }
  };

  const span = 3 * 365 * MICROS_PER_DAY;
  const start = anchor - span - 30 * MICROS_PER_DAY;

  // Collections: the areas at the root, their subjects below.
  const collections: CollectionRecord[] = [];
  const leaves: { collection: CollectionRecord; area: Area; galleries: readonly string[] }[] = [];
  let order = 0;
  for (const area of AREAS) {
    const at = start - rng.int(1, 60) * MICROS_PER_DAY + rng.int(0, MICROS_PER_DAY - 1);
    const top: CollectionRecord = {
      id: newId('C0000'),
      name: area.name,
      description: area.description,
      parentId: null,
      mode: area.mode,
      isListed: area.mode === 'everyone',
      displayOrder: order++,
      createdAt: at,
      modifiedAt: at,
    };
    collections.push(top);
    for (const sub of area.subs) {
      const subAt = at + rng.int(1, 20) * MICROS_PER_DAY + rng.int(0, MICROS_PER_DAY - 1);
      const child: CollectionRecord = {
        id: newId('C0000'),
        name: sub.name,
        description: '',
        parentId: top.id,
        mode: sub.name === 'Headshots' ? 'private' : area.mode,
        isListed: area.mode === 'everyone',
        displayOrder: order++,
        createdAt: subAt,
        modifiedAt: subAt,
      };
      collections.push(child);
      leaves.push({ collection: child, area, galleries: sub.galleries });
    }
  }

  // Gallery sizes: 20–200 images in a large library; smaller libraries get smaller galleries so the
  // tree still has some breadth (a 400-image demo has about a dozen galleries).
  const maxSize = Math.max(3, Math.min(200, Math.floor(assets / 8)));
  const minSize = Math.max(1, Math.min(20, Math.floor(maxSize / 5)));
  const sizes: number[] = [];
  for (let left = assets; left > 0;) {
    const size = Math.min(left, rng.int(minSize, maxSize));
    sizes.push(size);
    left -= size;
  }
  if (sizes.length === 0) sizes.push(0);

  const galleries: GalleryRecord[] = [];
  const images: ImageRecord[] = [];
  const gap = Math.floor(span / sizes.length);
  let frame = rng.int(1000, 9000);

  sizes.forEach((size, index) => {
    const atRoot = index % 29 === 7;
    const leaf = rng.pick(leaves);
    const createdAt = start + index * gap + Math.floor(rng.next() * gap * 0.2);
    const date = new Date(Math.floor(createdAt / 1000));
    const when = `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
    const template = atRoot ? rng.pick(ROOT_GALLERIES) : rng.pick(leaf.galleries);
    const name = `${template.replace('{opp}', rng.pick(OPPONENTS))} ${when}`;
    const roll = rng.next();
    const mode: Mode = roll < 0.6 ? 'everyone' : roll < 0.85 ? 'private' : 'permission';
    const gallery: GalleryRecord = {
      id: newId('G0000'),
      name,
      description: atRoot ? '' : `${leaf.area.name} · ${leaf.collection.name}`,
      parentId: atRoot ? null : leaf.collection.id,
      mode,
      isListed: mode === 'everyone',
      displayOrder: order++,
      createdAt,
      modifiedAt: createdAt,
      imageIds: [],
      hiddenIds: [],
      permissions: [],
    };

    // Shared strings: one credit, copyright and a few keyword sets per gallery, not per image.
    const author = rng.pick(PHOTOGRAPHERS);
    const year = date.getUTCFullYear();
    const credit = `${author} / ${ORGANIZATION}`;
    const copyright = `© ${year} ${ORGANIZATION}`;
    const area = atRoot ? rng.pick(AREAS) : leaf.area;
    const base = [area.name.toLowerCase(), leaf.collection.name.toLowerCase()];
    const keywordSets = [0, 1, 2].map(() =>
      [...base, rng.pick(area.keywords), rng.pick(area.keywords), String(year)]
        .filter((word, i, all) => all.indexOf(word) === i)
        .join(', '),
    );
    const captions = new Map<string, string>();
    const camera = rng.pick(CAMERAS);

    // Uploads spread over half the gap after creation, strictly increasing, so upload order is time order.
    const step = Math.max(1, Math.floor((gap * 0.5) / Math.max(1, size)));
    let at = createdAt + 1;
    for (let i = 0; i < size; i += 1) {
      at += 1 + Math.floor(rng.next() * step);
      const portrait = rng.chance(0.3);
      const width = portrait ? camera.height : camera.width;
      const height = portrait ? camera.width : camera.height;
      frame = frame >= 9999 ? 1 : frame + 1;
      const subject = rng.pick(area.subjects);
      let caption = captions.get(subject);
      if (caption === undefined) {
        caption = `${subject} — ${name}.`;
        captions.set(subject, caption);
      }
      const edited = rng.chance(0.15);
      const modifiedAt = edited ? Math.min(anchor - 1, at + Math.floor(rng.next() * gap)) : at;
      const licensed = rng.chance(0.04);
      const image: ImageRecord = {
        id: newId('I0000'),
        fileName: `${camera.prefix}${String(frame).padStart(4, '0')}${camera.ext}`,
        fileSize: estimateFileSize(width, height, rng),
        width,
        height,
        uploadedAt: at,
        modifiedAt,
        caption,
        headline: rng.chance(0.3) ? name : '',
        title: '',
        author,
        credit,
        copyright,
        keywords: rng.pick(keywordSets),
        // Licence expiries fall either side of the anchor: some lapsed, some coming up.
        licenseExpiresAt: licensed ? anchor + (rng.int(-180, 180) || 1) * MICROS_PER_DAY : null,
        galleryIds: [gallery.id],
        version: 0,
      };
      images.push(image);
      gallery.imageIds.push(image.id);
      if (rng.chance(0.02)) gallery.hiddenIds.push(image.id);
      if (modifiedAt > gallery.modifiedAt) gallery.modifiedAt = modifiedAt;
    }

    // Some galleries were already shared with a reviewer or by a token link.
    if (rng.chance(0.12)) {
      const shares = rng.int(1, 2);
      for (let s = 0; s < shares; s += 1) {
        const permission = seededPermission(rng, newId, gallery, anchor);
        gallery.permissions.push(permission);
        if (permission.createdAt > gallery.modifiedAt) gallery.modifiedAt = permission.createdAt;
      }
      if (gallery.mode === 'private') gallery.mode = 'permission';
    }
    galleries.push(gallery);
  });

  // A highlights gallery reuses images from elsewhere, so an image can sit in two galleries.
  const campusBeauty = leaves.find((leaf) => leaf.collection.name === 'Campus Beauty');
  if (images.length >= 200 && campusBeauty !== undefined) {
    const createdAt = anchor - 2 * MICROS_PER_DAY;
    const highlights: GalleryRecord = {
      id: newId('G0000'),
      name: 'Best of the Year',
      description: 'Editors’ picks from across the library.',
      parentId: campusBeauty.collection.id,
      mode: 'everyone',
      isListed: true,
      displayOrder: order++,
      createdAt,
      modifiedAt: createdAt,
      imageIds: [],
      hiddenIds: [],
      permissions: [],
    };
    while (highlights.imageIds.length < 40) {
      const image = rng.pick(images);
      if (image.galleryIds.includes(highlights.id)) continue;
      image.galleryIds.push(highlights.id);
      highlights.imageIds.push(image.id);
    }
    galleries.push(highlights);
  }

  return {
    seed,
    assets: images.length,
    collections,
    galleries,
    images,
    rngState: rng.state,
    nextFrame: frame + 1,
  };
}

function seededPermission(
  rng: SeededRandom,
  newId: (prefix: string) => string,
  gallery: GalleryRecord,
  anchor: Micros,
): PermissionRecord {
  const window = Math.max(1, anchor - gallery.createdAt - MICROS_PER_SECOND);
  const createdAt = gallery.createdAt + 1 + Math.floor(rng.next() * window * 0.9);
  if (rng.chance(0.7)) {
    const who = rng.pick(['editor', 'comms', 'athletics', 'alumni', 'press']);
    return {
      id: newId('AR000'),
      type: 'contact',
      contactId: newId('CT000'),
      email: `${who}${rng.int(1, 99)}@example.edu`,
      token: null,
      expires: null,
      createdAt,
    };
  }
  return {
    id: newId('AR000'),
    type: 'token',
    contactId: null,
    email: null,
    token: idBody(rng),
    expires: rng.chance(0.5) ? createdAt + rng.int(7, 90) * MICROS_PER_DAY : null,
    createdAt,
  };
}

/** The seeding anchor for a wall clock: the start of its UTC day, so a day's libraries are equal. */
export function anchorFor(now: Date): Micros {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return day * 1000;
}
