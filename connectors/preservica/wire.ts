import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';

import { ValidationError } from '../../core/errors.js';
import { jsonOrUndefined } from '../http/answer.js';

// What Preservica answers (docs/preservica.md, docs/preservica-simulator.md): the Entity API in XML
// (namespace prefixes dropped, attributes as `@name`), the Access Token, Process Monitor and Webhook
// APIs in JSON, the Upload API in S3's XML. Fields the connector does not read are let through.

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/** `text` as XML; a body that is not well-formed XML is a ValidationError. */
export function readXml(text: string, context: string): unknown {
  if (text.trim() === '' || XMLValidator.validate(text) !== true) {
    throw new ValidationError(context, ['(root): not well-formed XML']);
  }
  return parser.parse(text) as unknown;
}

/** The text of an element: `<a>x</a>`, `<a x="1">x</a>` or `<a/>` (''). */
export function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && '#text' in value) return textOf(value['#text']);
  return '';
}

const text = z.preprocess((v) => textOf(v), z.string());
const optionalText = z.preprocess((v) => textOf(v), z.string().optional());
/** A repeated element: one occurrence parses as an object, none as absent or ''. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v: unknown): unknown[] =>
      v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v],
    z.array(item),
  );
/** A wrapper element that may come empty (`<Entities/>` parses as ''). */
const wrapper = <T extends z.ZodRawShape>(shape: T) =>
  z.preprocess((v) => (v === '' || v === undefined ? {} : v), z.object(shape).loose());
/** A link element: the URL as text, attributes beside it. */
const link = <T extends z.ZodRawShape>(attributes: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? { '#text': v } : v),
    z.object({ '#text': z.string().min(1), ...attributes }).loose(),
  );

const entitySchema = z
  .object({
    Ref: text.pipe(z.string().min(1)),
    Title: text,
    Description: optionalText,
    SecurityTag: text,
    Parent: optionalText,
  })
  .loose();
export type WireEntity = z.infer<typeof entitySchema>;

export const informationObjectSchema = z.object({
  EntityResponse: z
    .object({
      InformationObject: entitySchema,
      AdditionalInformation: wrapper({
        Metadata: wrapper({ Fragment: list(link({ '@schema': z.string() })) }).optional(),
      }),
    })
    .loose(),
});

export const identifiersSchema = z.object({
  IdentifiersResponse: z
    .object({
      Identifiers: wrapper({
        Identifier: list(z.object({ Type: text, Value: text }).loose()),
      }),
    })
    .loose(),
});

export const entitiesSchema = z.object({
  EntitiesResponse: z
    .object({
      Entities: wrapper({
        Entity: list(z.object({ '@ref': z.string().min(1), '@type': z.string() }).loose()),
      }),
    })
    .loose(),
});

/** The inner XML of a fragment's `Content`, parsed: the Lightdesk fragment when it is one. */
export const fragmentSchema = z.object({
  MetadataResponse: z
    .object({
      MetadataContainer: z
        .object({
          '@schemaUri': z.string(),
          Ref: text,
          Content: wrapper({}),
        })
        .loose(),
    })
    .loose(),
});

export const representationsSchema = z.object({
  RepresentationsResponse: z
    .object({
      Representations: wrapper({
        Representation: list(link({ '@type': z.string(), '@name': z.string().optional() })),
      }),
    })
    .loose(),
});

export const representationSchema = z.object({
  RepresentationResponse: z
    .object({
      Representation: z.object({ ContentObjects: wrapper({ ContentObject: list(text) }) }).loose(),
    })
    .loose(),
});

export const generationsSchema = z.object({
  GenerationsResponse: z
    .object({
      Generations: wrapper({ Generation: list(link({ '@active': z.string().optional() })) }),
    })
    .loose(),
});

export const generationSchema = z.object({
  GenerationResponse: z
    .object({
      Generation: z.object({ '@original': z.string().optional() }).loose(),
      Bitstreams: wrapper({ Bitstream: list(link({ '@filename': z.string().optional() })) }),
    })
    .loose(),
});

export const bitstreamSchema = z.object({
  BitstreamResponse: z
    .object({
      Bitstream: z
        .object({
          Filename: text.pipe(z.string().min(1)),
          FileSize: text.pipe(z.string().regex(/^\d+$/)).transform(Number),
        })
        .loose(),
    })
    .loose(),
});

export const ingestStatusSchema = z.object({
  StatusResponse: z
    .object({ Status: text.pipe(z.enum(['PENDING', 'ACTIVE', 'COMPLETED', 'FAILED'])) })
    .loose(),
});

export const versionSchema = z.object({
  VersionDetailsResponse: z.object({ CurrentVersion: text.pipe(z.string().min(1)) }).loose(),
});

export const initiateUploadSchema = z.object({
  InitiateMultipartUploadResult: z.object({ UploadId: text.pipe(z.string().min(1)) }).loose(),
});

export const completeUploadSchema = z.object({
  CompleteMultipartUploadResult: z.object({ Key: text }).loose(),
});

/** The Access Token API's answer to a login or a refresh. */
export const tokenSchema = z
  .object({
    token: z.string().min(1),
    'refresh-token': z.string().min(1).optional(),
    /** Minutes. */
    validFor: z.number().positive(),
  })
  .loose();

/** The Process Monitor API wraps its answers as {success, version, value}. */
export const monitorsSchema = z
  .object({
    value: z
      .object({
        monitors: z.array(
          z.object({ mappedId: z.string().min(1), name: z.string(), status: z.string() }).loose(),
        ),
      })
      .loose(),
  })
  .loose();

export const messagesSchema = z
  .object({
    value: z
      .object({
        messages: z.array(
          z
            .object({
              status: z.string(),
              displayMessage: z.string().nullable().optional(),
              message: z.string().nullable().optional(),
            })
            .loose(),
        ),
      })
      .loose(),
  })
  .loose();

export const subscriptionsSchema = z.array(
  z.object({ id: z.string().min(1), url: z.string(), triggerType: z.string() }).loose(),
);

export const subscriptionSchema = z.object({ id: z.string().min(1) }).loose();

const xmlErrorSchema = z.object({
  Error: z.object({ Message: optionalText, Code: optionalText }).loose(),
});
const jsonErrorSchema = z.object({ message: z.string() }).loose();

/**
 * What an error answer says, whatever its family: the Entity API's `<Error><Message>` or plain
 * text, S3's `<Error><Code><Message>`, the JSON APIs' `message`. The S3 code comes apart.
 */
export function errorOf(
  body: string,
  contentType: string | null,
): { readonly message: string | undefined; readonly code: string | undefined } {
  const trimmed = body.trim();
  if (trimmed.startsWith('<')) {
    if (XMLValidator.validate(trimmed) !== true) return { message: undefined, code: undefined };
    const parsed = xmlErrorSchema.safeParse(parser.parse(trimmed));
    return parsed.success
      ? { message: parsed.data.Error.Message, code: parsed.data.Error.Code }
      : { message: undefined, code: undefined };
  }
  const json = jsonErrorSchema.safeParse(jsonOrUndefined(trimmed));
  if (json.success) return { message: json.data.message, code: undefined };
  // A plain-text message (the Entity API may answer so [INF]); never an HTML error page.
  const isText = contentType === null || contentType.toLowerCase().startsWith('text/plain');
  return { message: isText && trimmed !== '' ? trimmed : undefined, code: undefined };
}

/** The last path segment of a link Preservica handed out (a ref, an index). */
export function lastSegment(url: string): string {
  const path = url.split(/[?#]/)[0] ?? '';
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/** Characters XML 1.0 cannot carry at all; a caption pasted from elsewhere may hold some. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function esc(value: string | number): string {
  return String(value)
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<name>text</name>`, `<name/>` when empty. */
export function el(name: string, value: string | number | undefined): string {
  if (value === undefined || value === '') return `<${name}/>`;
  return `<${name}>${esc(value)}</${name}>`;
}
